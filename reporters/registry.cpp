// Placeholder until the reporters land.
