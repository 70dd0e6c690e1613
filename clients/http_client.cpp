// Placeholder until the HTTP client lands.
