"""The HTTP API, the same for ``movieagg serve`` and AWS Lambda.

A :class:`~movieagg.web.http.Request` goes to :meth:`~movieagg.web.service.Service.handle`,
which dispatches it through the route table (:mod:`movieagg.web.routes`) and answers a
:class:`~movieagg.web.http.Response`. How a request arrives — an ASGI scope
(:mod:`movieagg.web.server`) or an API Gateway event (:mod:`movieagg.aws.events`) — is the
caller's business. Nothing here imports boto3, uvicorn, typer or rich.
"""
