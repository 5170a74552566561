"""Deploy tooling for `movieagg deploy` and `deploy status | destroy | cost`: never in the Lambda zip.

:mod:`~movieagg.deploy.deployer` runs the pipeline (plan → change sets shown with their cost →
executed → health checked) over :mod:`~movieagg.deploy.awsclient`, a typed boto3 facade
(:mod:`~movieagg.deploy.awsbase`: session, region, error mapping; :mod:`~movieagg.deploy.stacks`:
change sets and stacks, cleaned up when they fail); :mod:`~movieagg.deploy.plan` packages and
prices a stage (:mod:`~movieagg.deploy.costs` with ``prices.json``, :mod:`~movieagg.deploy.sizes`);
:mod:`~movieagg.deploy.teardown` is status and destroy; :mod:`~movieagg.deploy.package` builds the
Lambda zip from the runtime packages only, slimmed (:mod:`~movieagg.deploy.slim`,
:mod:`~movieagg.deploy.bytecode`). Errors are in :mod:`~movieagg.deploy.errors`. Nothing here
prints: progress goes to a reporter.
"""
