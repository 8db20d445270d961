"""The faces: the `legiste` command line and the HTTP service."""
