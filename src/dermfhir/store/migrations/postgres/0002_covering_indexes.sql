-- Search indexes that carry the resource's rid (and a date's other bound), so that matching, counting and
-- estimating a filter's selectivity read the index alone, never the index table's rows. Columns that are often
-- NULL (a token's text, a reference's url or id) are indexed only where set: fewer pages touched per write.
CREATE INDEX idx_token_code_rid ON idx_token (pkey, code, system, rid);
DROP INDEX idx_token_code;
CREATE INDEX idx_token_text_rid ON idx_token (pkey, text, rid) WHERE text IS NOT NULL;
DROP INDEX idx_token_text;
CREATE INDEX idx_string_norm_rid ON idx_string (pkey, norm, rid);
DROP INDEX idx_string_norm;
CREATE INDEX idx_reference_target_rid ON idx_reference (pkey, ref_id, ref_type, rid) WHERE ref_id IS NOT NULL;
DROP INDEX idx_reference_target;
CREATE INDEX idx_reference_url_rid ON idx_reference (pkey, url, rid) WHERE url IS NOT NULL;
DROP INDEX idx_reference_url;
CREATE INDEX idx_date_low_rid ON idx_date (pkey, low, high, rid);
DROP INDEX idx_date_low;
CREATE INDEX idx_date_high_rid ON idx_date (pkey, high, low, rid);
DROP INDEX idx_date_high;
CREATE INDEX idx_date_rid_bounds ON idx_date (rid, pkey, low, high);
DROP INDEX idx_date_rid;
CREATE INDEX idx_number_value_rid ON idx_number (pkey, value, rid);
DROP INDEX idx_number_value;
CREATE INDEX idx_quantity_value_rid ON idx_quantity (pkey, value, rid);
DROP INDEX idx_quantity_value;
CREATE INDEX idx_uri_uri_rid ON idx_uri (pkey, uri, rid);
DROP INDEX idx_uri_uri;
-- The planner multiplies the selectivities of the pkey and the code conditions as if independent; a code is only
-- ever common within its parameter: without joint statistics a broad search (status=final) is planned as a rare one.
CREATE STATISTICS idx_token_pkey_code (mcv, dependencies) ON pkey, code FROM idx_token;
CREATE STATISTICS idx_string_pkey_norm (mcv, dependencies) ON pkey, norm FROM idx_string;
