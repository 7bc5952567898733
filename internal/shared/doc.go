// Package shared is what the two domain rooms, internal/link and
// internal/migration, both stand on: the data the provider hands to every
// resource (ProviderData, with a place where each room keeps its own state
// for one provider instance: State), the diagnostics of a failed API call,
// the one poller every wait goes through, the rule that timeouts be
// positive, and the registry of the links a plan creates or keeps, through
// which a migration planned after its link learns of it.
//
// It imports neither room, and neither room imports the other.
package shared
