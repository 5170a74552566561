"""AWS face of movieagg: the Lambda handler behind API Gateway and its local twin.

``movieagg.aws.handler.handler`` is the Lambda entry point; ``movieagg serve`` runs the same
handler locally (``movieagg.aws.local``). Nothing here imports boto3 at import time.
"""
