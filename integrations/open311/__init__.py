"""Open311 GeoReport v2 at /open311/v2/: our categories as services, every report as a public
request, and POSTed requests taken through the one intake (source web). See README, "Open311
GeoReport v2", for ids, the state mapping and what stays private.

    render      the spec's JSON and XML (xml.etree), errors as its list of code and description
    attributes  the service definitions' attributes and what a POST's answers mean
    query       GET requests' arguments: ids, services, window, status
    submission  a POST's form, its api_key and idempotency, to the intake's ReportIn
    openapi     an OpenAPI 3 description of these endpoints (served, and fuzzed in the tests)
"""
