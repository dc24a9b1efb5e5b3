"""Business rules as plain functions: views call them, tests can call them directly."""
