-- Resources, their versions and the search index tables (one per search parameter type).
CREATE TABLE resource (
    rid BIGSERIAL PRIMARY KEY,
    type TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    last_updated BIGINT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, id)
);
CREATE INDEX resource_type_updated ON resource (type, last_updated);
CREATE TABLE resource_version (
    rid BIGINT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    last_updated BIGINT NOT NULL,
    method TEXT COLLATE "C" NOT NULL,
    content BYTEA,
    PRIMARY KEY (rid, version)
);
CREATE INDEX resource_version_updated ON resource_version (last_updated);
CREATE INDEX resource_version_type_updated ON resource_version (type, last_updated);
CREATE TABLE idx_token (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, system TEXT COLLATE "C", code TEXT COLLATE "C", text TEXT COLLATE "C");
CREATE INDEX idx_token_code ON idx_token (pkey, code, system);
CREATE INDEX idx_token_text ON idx_token (pkey, text);
CREATE INDEX idx_token_rid ON idx_token (rid, pkey);
CREATE TABLE idx_string (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, norm TEXT COLLATE "C" NOT NULL, exact TEXT COLLATE "C" NOT NULL);
CREATE INDEX idx_string_norm ON idx_string (pkey, norm);
CREATE INDEX idx_string_rid ON idx_string (rid, pkey);
CREATE TABLE idx_reference (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, ref_type TEXT COLLATE "C", ref_id TEXT COLLATE "C", url TEXT COLLATE "C");
CREATE INDEX idx_reference_target ON idx_reference (pkey, ref_id, ref_type);
CREATE INDEX idx_reference_url ON idx_reference (pkey, url);
CREATE INDEX idx_reference_rid ON idx_reference (rid, pkey);
CREATE TABLE idx_date (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, low BIGINT NOT NULL, high BIGINT NOT NULL);
CREATE INDEX idx_date_low ON idx_date (pkey, low);
CREATE INDEX idx_date_high ON idx_date (pkey, high);
CREATE INDEX idx_date_rid ON idx_date (rid, pkey);
CREATE TABLE idx_number (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL);
CREATE INDEX idx_number_value ON idx_number (pkey, value);
CREATE INDEX idx_number_rid ON idx_number (rid, pkey);
CREATE TABLE idx_quantity (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, system TEXT COLLATE "C", code TEXT COLLATE "C", unit TEXT COLLATE "C", value DOUBLE PRECISION NOT NULL);
CREATE INDEX idx_quantity_value ON idx_quantity (pkey, value);
CREATE INDEX idx_quantity_rid ON idx_quantity (rid, pkey);
CREATE TABLE idx_uri (rid BIGINT NOT NULL, pkey BIGINT NOT NULL, grp INTEGER NOT NULL, uri TEXT COLLATE "C" NOT NULL);
CREATE INDEX idx_uri_uri ON idx_uri (pkey, uri);
CREATE INDEX idx_uri_rid ON idx_uri (rid, pkey);
