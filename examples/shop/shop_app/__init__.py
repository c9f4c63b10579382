"""An example third-party app: Login with Tonomy and Tonomy Pay through ``tonomy.sdk`` (README.md)."""
