"""HTTP API (API Gateway v2) emulation: the gateway core as plain functions over request/config data.

One module per AWS concept, named as in behaviour.md: `routing` ("HTTP API routing"), `cors`
("HTTP API CORS configuration"). LocalStack adapters will wrap these; the core has no server in it.
"""
