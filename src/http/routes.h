/*
 * routes.h — every capability's route table. Each capability's http.c
 * defines one; routes.c joins them into the server's table.
 */
#ifndef CP_HTTP_ROUTES_H
#define CP_HTTP_ROUTES_H

#include "http/http.h"

extern const cp_route cp_system_routes[];
extern const int cp_system_routes_count;
extern const cp_route cp_members_routes[];
extern const int cp_members_routes_count;
extern const cp_route cp_users_routes[];
extern const int cp_users_routes_count;
extern const cp_route cp_collections_routes[];
extern const int cp_collections_routes_count;
extern const cp_route cp_taxii_routes[];
extern const int cp_taxii_routes_count;
extern const cp_route cp_intel_routes[];
extern const int cp_intel_routes_count;
extern const cp_route cp_search_routes[];
extern const int cp_search_routes_count;
extern const cp_route cp_finance_routes[];
extern const int cp_finance_routes_count;
extern const cp_route cp_record_routes[];
extern const int cp_record_routes_count;
extern const cp_route cp_governance_routes[];
extern const int cp_governance_routes_count;
extern const cp_route cp_warning_routes[];
extern const int cp_warning_routes_count;

#endif
