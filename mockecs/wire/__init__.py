"""The wire: HTTP requests and the API's wire forms (query/form decoding, parameters, JSON/XML encoding,
signatures, error bodies). Knows no state; imports nothing else of mockecs."""
