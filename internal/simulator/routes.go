package simulator

// Routes lists every route the simulator serves, in the order the -h text
// of atlasmig-sim shows them; each is a valid ROUTE of a fault.
func Routes() []Route {
	return []Route{
		RouteCreateLinkToken, RouteDeleteLinkTokens, RouteAvailableProjects,
		RouteLink, RouteLinkStatus, RouteUnlink,
		RouteGetProject, RouteValidateMigration, RouteGetValidation,
		RouteCreateMigration, RouteGetMigration, RouteCutover,
		RouteOAuthToken, RouteOAuthRevoke,
	}
}
