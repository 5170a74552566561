"""The AWS Lambda runtime: the entry point, API Gateway events, Parameter Store.

``movieagg.aws.handler.handler`` is the Lambda entry point; it runs the API service of
:mod:`movieagg.web`, as ``movieagg serve`` does. Deploy tooling lives in :mod:`movieagg.deploy`
and never ships in the Lambda zip. Nothing here imports boto3 at import time.
"""
