"""ctdl-assistant service: CLI now, HTTP API, registry store and pages later."""
