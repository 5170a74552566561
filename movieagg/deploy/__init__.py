"""Deploy tooling for ``movieagg deploy / status / destroy``: never part of the Lambda zip.

:mod:`~movieagg.deploy.deployer` runs the pipeline (package → change sets shown → executed)
over :mod:`~movieagg.deploy.awsclient`, a typed boto3 facade; :mod:`~movieagg.deploy.package`
builds the Lambda zip from the runtime packages only; errors are in
:mod:`~movieagg.deploy.errors`. Nothing here prints: progress goes to a reporter.
"""
