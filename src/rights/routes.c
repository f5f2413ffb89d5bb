/* routes.c: the rights module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /titles/{id}, /deals/{id}, ... find the organization in the handler and check the
 * caller's level there (access.c). The OpenAPI description is rights/openapi*.json. */
#include "rights/rights_internal.h"

#define J MS_ROUTE_JSON

const ms_route rights_routes[] = {
    /* ---- main ---- */
    {"GET", "/api/v1/rights/territories", h_rights_territories, PERM_USER, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/rights/media", h_rights_media_list, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/rights/media", h_rights_media_create, PERM_ORG_VIEW, J, NULL},
    {"GET", "/api/v1/orgs/{id}/titles", h_titles_list, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/titles", h_titles_create, PERM_ORG_VIEW, J, NULL},
    {"GET", "/api/v1/titles/{id}", h_title_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/titles/{id}", h_title_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/titles/{id}", h_title_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/titles/{id}/rights-in", h_rights_in_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/titles/{id}/rights-in", h_rights_in_create, PERM_USER, J, NULL},
    {"PATCH", "/api/v1/rights-in/{id}", h_rights_in_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/rights-in/{id}", h_rights_in_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/titles/{id}/holdbacks", h_holdbacks_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/titles/{id}/holdbacks", h_holdbacks_create, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/holdbacks/{id}", h_holdback_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/titles/{id}/deals", h_title_deals, PERM_USER, 0, NULL},
    {"GET", "/api/v1/titles/{id}/avails", h_title_avails, PERM_USER, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/deals", h_deals_list, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/deals", h_deals_create, PERM_ORG_VIEW, J, NULL},
    {"GET", "/api/v1/deals/{id}", h_deal_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/deals/{id}", h_deal_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/deals/{id}", h_deal_delete, PERM_USER, 0, NULL},
    {"POST", "/api/v1/deals/{id}/status", h_deal_status, PERM_USER, J, NULL},
    {"POST", "/api/v1/orgs/{id}/avails", h_avails_query, PERM_ORG_VIEW, J, NULL},
    {"POST", "/api/v1/orgs/{id}/avails/check", h_avails_check, PERM_ORG_VIEW, J, NULL},
    {"GET", "/api/v1/orgs/{id}/avails/grid", h_avails_grid, PERM_ORG_VIEW, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/rights/revenue", h_rights_revenue, PERM_ORG_VIEW, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/rights/due", h_rights_due, PERM_ORG_VIEW, 0, NULL},
    /* ---- end of main ---- */
    /* ---- wt-market ---- */
    /* The market: a seller's listings, the market as a buyer browses it, offers between the
     * two organizations (market_listings.c, market_offers.c). Visibility and levels are
     * decided in the handlers; what a caller may not see is 404. */
    {"POST", "/api/v1/orgs/{id}/listings", h_listings_create, PERM_ORG_VIEW, J, NULL},
    {"GET", "/api/v1/orgs/{id}/listings", h_org_listings, PERM_ORG_VIEW, 0, NULL},
    {"GET", "/api/v1/market/listings", h_market_listings, PERM_USER, 0, NULL},
    {"GET", "/api/v1/listings/{id}", h_listing_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/listings/{id}", h_listing_update, PERM_USER, J, NULL},
    {"GET", "/api/v1/listings/{id}/buyers", h_listing_buyers, PERM_USER, 0, NULL},
    {"POST", "/api/v1/listings/{id}/buyers", h_listing_buyers_set, PERM_USER, J, NULL},
    {"POST", "/api/v1/listings/{id}/access-requests", h_listing_access_request, PERM_USER, J, NULL},
    {"POST", "/api/v1/listings/{id}/offers", h_offers_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/orgs/{id}/offers", h_org_offers, PERM_ORG_VIEW, 0, NULL},
    {"GET", "/api/v1/offers/{id}", h_offer_get, PERM_USER, 0, NULL},
    {"GET", "/api/v1/offers/{id}/events", h_offer_events, PERM_USER, 0, NULL},
    {"POST", "/api/v1/offers/{id}/messages", h_offer_message, PERM_USER, J, NULL},
    {"POST", "/api/v1/offers/{id}/counter", h_offer_counter, PERM_USER, J, NULL},
    {"POST", "/api/v1/offers/{id}/accept", h_offer_accept, PERM_USER, J, NULL},
    {"POST", "/api/v1/offers/{id}/reject", h_offer_reject, PERM_USER, J, NULL},
    {"POST", "/api/v1/offers/{id}/withdraw", h_offer_withdraw, PERM_USER, J, NULL},
    /* ---- end of wt-market ---- */
    /* ---- wt-ema ---- */
    /* EMA Avails (ema_api.c): the import's body is text, streamed to rights_ema_on_body. */
    {"POST", "/api/v1/orgs/{id}/ema/import", h_rights_ema_import, PERM_ORG_VIEW, MS_ROUTE_STREAM,
     rights_ema_on_body},
    {"GET", "/api/v1/orgs/{id}/ema/export", h_rights_ema_export, PERM_ORG_VIEW, 0, NULL},
    /* ---- end of wt-ema ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
