/// Placeholder until the zone engine lands.
