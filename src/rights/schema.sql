-- rights/schema.sql: rights and program trade - an organization's catalogue of titles, the
-- rights it controls (rights in), the licenses it grants (deals, their rights rows and
-- payments), holdbacks, custom media, and the revision that tells the avails engine's cache
-- what changed. The market (listings, offers) is rights/market.sql. Written in the SQL subset
-- SQLite and PostgreSQL share.
--
-- Dimensions are stored as the user wrote them, checked on the way in (rights/dims.c):
--   territories  JSON {"include": ["WORLD"], "exclude": ["CN"]}: ISO 3166-1 alpha-2 codes and
--                named groups (WORLD, EUROPE, ...)
--   media        JSON ["svod", "pay_tv"]: built-in codes and the organization's own
--   languages    JSON [{"tag": "fr", "kinds": ["dubbed"]}]: BCP 47 tags with kinds (original,
--                dubbed, subtitled; [] = every kind); [] = every language
--   start_date   YYYY-MM-DD, the first day; end_date YYYY-MM-DD, the last day (NULL: open)
--   exclusivity  exclusive, sole, non_exclusive
-- Amounts are integers in the currency's minor unit (cents); currency is ISO 4217.

-- migration 1: revisions, titles, custom media, rights in, deals, deal rights, payments, holdbacks
CREATE TABLE rights_revision (
    org_id TEXT PRIMARY KEY REFERENCES org (id),
    revision BIGINT NOT NULL
);

-- Per organization and title: the organization's revision at the last change of the title or
-- of its windows (rights in, deal rights, holdbacks, deal statuses) as that organization
-- sees them. The engine's cache reloads the titles whose row is newer than what it holds.
CREATE TABLE rights_title_rev (
    org_id TEXT NOT NULL REFERENCES org (id),
    title_id TEXT NOT NULL,
    rev BIGINT NOT NULL,
    PRIMARY KEY (org_id, title_id)
);
CREATE INDEX rights_title_rev_since ON rights_title_rev (org_id, rev);

CREATE TABLE rights_title (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),      -- whose catalogue
    parent_id TEXT REFERENCES rights_title (id),   -- season under series, episode under season
    kind TEXT NOT NULL,        -- feature, series, season, episode, micro_drama, short, documentary, format
    title TEXT NOT NULL,       -- the original title
    synopsis TEXT NOT NULL DEFAULT '',
    localizations TEXT NOT NULL DEFAULT '[]', -- [{"language": "fr-FR", "title": .., "synopsis": ..}]
    original_language TEXT,    -- BCP 47
    country_of_origin TEXT,    -- ISO 3166-1 alpha-2
    year INTEGER,
    runtime_min INTEGER,
    season_number INTEGER,
    episode_number INTEGER,
    genres TEXT NOT NULL DEFAULT '[]',
    eidr TEXT,                 -- 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C, check character verified
    other_ids TEXT NOT NULL DEFAULT '{}', -- {"imdb": "tt0111161", "isan": ..}
    artwork_asset_id TEXT,     -- asset library ids (the caller could see them when set)
    screener_asset_id TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_title_org ON rights_title (org_id, id) WHERE deleted_at IS NULL;
CREATE INDEX rights_title_parent ON rights_title (parent_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX rights_title_eidr ON rights_title (org_id, eidr)
    WHERE eidr IS NOT NULL AND deleted_at IS NULL;

-- Media beyond the built-in ones, per organization (at most 49: the engine keeps media as
-- a 64-bit set with the 15 built-ins first).
CREATE TABLE rights_media (
    org_id TEXT NOT NULL REFERENCES org (id),
    code TEXT NOT NULL,        -- lower-case slug: "inflight_wifi"
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, code)
);

CREATE TABLE rights_in (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),
    title_id TEXT NOT NULL REFERENCES rights_title (id),
    source TEXT NOT NULL,      -- own_production, acquired
    licensor TEXT NOT NULL DEFAULT '',     -- from whom, when acquired
    contract_ref TEXT NOT NULL DEFAULT '',
    deal_id TEXT,              -- acquired through a deal on this platform (the seller's deal)
    territories TEXT NOT NULL,
    media TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    start_date TEXT NOT NULL,
    end_date TEXT,             -- the expiry; NULL: perpetual
    exclusivity TEXT NOT NULL,
    runs INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_in_title ON rights_in (title_id) WHERE deleted_at IS NULL;
CREATE INDEX rights_in_org ON rights_in (org_id, end_date) WHERE deleted_at IS NULL;

-- A license out: one licensor, one licensee (an organization here, or a name), rights rows
-- for one title or a package of titles, a fee and its payment schedule.
--   draft -> offered -> negotiating -> signed -> active -> expired | terminated
-- Only signed and active deals hold rights; the others are reported as pending.
CREATE TABLE rights_deal (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),      -- the licensor
    licensee_org_id TEXT REFERENCES org (id),
    licensee_name TEXT NOT NULL,                   -- the organization's name when on the platform
    reference TEXT NOT NULL DEFAULT '',            -- contract reference
    status TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'USD',
    fee BIGINT NOT NULL DEFAULT 0,                 -- minor units
    minimum_guarantee BIGINT NOT NULL DEFAULT 0,
    offer_id TEXT,                                 -- made by accepting this market offer
    notes TEXT NOT NULL DEFAULT '',
    signed_at TEXT,
    signed_by TEXT,
    terminated_at TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_deal_org ON rights_deal (org_id, status, id) WHERE deleted_at IS NULL;
CREATE INDEX rights_deal_licensee ON rights_deal (licensee_org_id, id) WHERE deleted_at IS NULL;

CREATE TABLE rights_deal_right (
    id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL REFERENCES rights_deal (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES org (id),      -- the licensor (the deal's)
    title_id TEXT NOT NULL REFERENCES rights_title (id),
    territories TEXT NOT NULL,
    media TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    start_date TEXT NOT NULL,
    end_date TEXT,
    exclusivity TEXT NOT NULL,
    runs INTEGER,
    allocation BIGINT,         -- this row's share of the fee; NULL: an equal share of the rest
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rights_deal_right_deal ON rights_deal_right (deal_id, position);
CREATE INDEX rights_deal_right_title ON rights_deal_right (title_id);

CREATE TABLE rights_payment (
    id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL REFERENCES rights_deal (id) ON DELETE CASCADE,
    due_date TEXT NOT NULL,
    amount BIGINT NOT NULL,
    paid_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rights_payment_deal ON rights_payment (deal_id, position);
CREATE INDEX rights_payment_due ON rights_payment (due_date) WHERE paid_at IS NULL;

-- A holdback: media in territories blocked for the title from start (NULL: always) until
-- end_date (the last blocked day). Set by hand (a clause of a rights-in contract) or by a
-- deal (the licensor promised the licensee to keep the media dark); a deal's holdbacks hold
-- only while the deal does.
CREATE TABLE rights_holdback (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),
    title_id TEXT NOT NULL REFERENCES rights_title (id),
    deal_id TEXT REFERENCES rights_deal (id) ON DELETE CASCADE,
    territories TEXT NOT NULL,
    media TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rights_holdback_title ON rights_holdback (title_id) WHERE deleted_at IS NULL;
CREATE INDEX rights_holdback_deal ON rights_holdback (deal_id);
