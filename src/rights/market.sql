-- rights/market.sql: the market between organizations - a seller's listings (titles, the
-- rights on offer, asking terms, screeners), the buyers a listing is open to, offers with their
-- rounds of counter-offers, and the thread of events both parties see. An accepted offer
-- becomes an ordinary signed deal (rights_deal, schema.sql); nothing here holds rights.
-- Written in the SQL subset SQLite and PostgreSQL share.
--
-- Dimensions and amounts are stored as in schema.sql (canonical JSON text, YYYY-MM-DD, minor
-- units of the currency). An offer's terms are one JSON document, the deal body an acceptance
-- makes: {"rights": [deal rights rows], "currency", "fee", "minimum_guarantee", "payments"}.

-- migration 1: listings, their titles, screeners and buyers, offers and offer events
CREATE TABLE rights_listing (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),      -- the seller
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    territories TEXT NOT NULL,                     -- the rights on offer
    media TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    start_date TEXT NOT NULL,
    end_date TEXT,                                 -- NULL: open
    exclusivity TEXT NOT NULL,
    asking_currency TEXT NOT NULL,
    asking_amount BIGINT,                          -- minor units; NULL: price on request
    asking_terms TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,                      -- market (every organization), invited
    status TEXT NOT NULL,                          -- open, closed
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_listing_org ON rights_listing (org_id, id);
CREATE INDEX rights_listing_market ON rights_listing (visibility, status, id);

CREATE TABLE rights_listing_title (
    listing_id TEXT NOT NULL REFERENCES rights_listing (id),
    title_id TEXT NOT NULL REFERENCES rights_title (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (listing_id, title_id)
);

-- A screener: a "view" share of the asset library (assets.h) made for the listing; its token
-- is sealed with the server key and shown only to invited and approved buyers.
CREATE TABLE rights_listing_screener (
    listing_id TEXT NOT NULL REFERENCES rights_listing (id),
    asset_id TEXT NOT NULL,
    asset_name TEXT NOT NULL,
    share_id TEXT NOT NULL,
    token_sealed TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (listing_id, asset_id)
);

-- The organizations a listing was opened to or that asked:
--   invited, approved  see an invited listing and its screeners; may make offers
--   requested          asked for access (a market listing: to see the screeners)
--   declined           the seller said no: no screeners, no offers
CREATE TABLE rights_listing_buyer (
    listing_id TEXT NOT NULL REFERENCES rights_listing (id),
    org_id TEXT NOT NULL REFERENCES org (id),
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (listing_id, org_id)
);
CREATE INDEX rights_listing_buyer_org ON rights_listing_buyer (org_id, listing_id);

-- An offer: open -> countered (any number of rounds, the sides taking turns) -> accepted
-- (deal_id: the signed deal) | rejected | withdrawn. last_by is the side whose terms stand.
CREATE TABLE rights_offer (
    id TEXT PRIMARY KEY,
    listing_id TEXT NOT NULL REFERENCES rights_listing (id),
    seller_org_id TEXT NOT NULL REFERENCES org (id),
    buyer_org_id TEXT NOT NULL REFERENCES org (id),
    status TEXT NOT NULL,
    terms TEXT NOT NULL,                           -- JSON, see above
    last_by TEXT NOT NULL,                         -- seller, buyer
    round INTEGER NOT NULL DEFAULT 1,
    deal_id TEXT REFERENCES rights_deal (id),
    event_count INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_offer_seller ON rights_offer (seller_org_id, id);
CREATE INDEX rights_offer_buyer ON rights_offer (buyer_org_id, id);
CREATE INDEX rights_offer_listing ON rights_offer (listing_id, buyer_org_id);

CREATE TABLE rights_offer_event (
    id TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL REFERENCES rights_offer (id),
    kind TEXT NOT NULL,        -- offered, countered, message, accepted, rejected, withdrawn
    side TEXT NOT NULL,        -- seller, buyer
    org_id TEXT NOT NULL REFERENCES org (id),
    actor_id TEXT,
    body TEXT NOT NULL DEFAULT '',
    terms TEXT,                -- JSON: the terms of an offered or countered event
    created_at TEXT NOT NULL
);
CREATE INDEX rights_offer_event_offer ON rights_offer_event (offer_id, id);
