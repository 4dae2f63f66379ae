-- Search-as-you-type on PostgreSQL: what a cashier types is most often the start of a name, a
-- SKU or a pinyin key (ranks 1 and 2 of the search). The trigram index finds substrings, and
-- for a common 3-letter key (`ksf`, 50,000 of 1,000,000 products) it must decode and sort its
-- whole posting list before the first row (15-20 ms); a prefix range on a B-tree finds the
-- first 20 such products in ~0.03 ms. One index per key of the search text
-- (`sku | name_zh | name_en | pinyin | initials`, all lower-case); the pinyin keys are read from
-- the end, as the ranking does, so a name holding ` | ` blurs only itself. The search reads
-- the trigram index only when these do not fill the page (docs/benchmarks.md, Catalog,
-- session 10).
CREATE INDEX products_prefix_sku ON products
    (company_id, split_part(search_text, ' | ', 1) text_pattern_ops);
CREATE INDEX products_prefix_name_zh ON products
    (company_id, split_part(search_text, ' | ', 2) text_pattern_ops);
CREATE INDEX products_prefix_name_en ON products
    (company_id, split_part(search_text, ' | ', 3) text_pattern_ops);
CREATE INDEX products_prefix_pinyin ON products
    (company_id, split_part(search_text, ' | ', -2) text_pattern_ops);
CREATE INDEX products_prefix_initials ON products
    (company_id, split_part(search_text, ' | ', -1) text_pattern_ops);

-- The candidates that start with the query, and exact codes (a scanned barcode, a typed SKU,
-- hit kind `e`), as one function: its plan does not depend on the query, and PL/pgSQL keeps
-- the generic plan for the session. Sent as a statement it was planned again for every
-- keystroke (0.5 ms of planning for 0.2 ms of work), because with the query's values the
-- planner's estimate is always lower than the generic one. Up to `p_limit` products per key;
-- `p_categories` is a comma-separated list of category ids; NULL filters are not applied.
CREATE FUNCTION product_search_prefix(p_company text, p_typed text, p_query text, p_limit bigint,
        p_categories text, p_brand text, p_status text)
    RETURNS TABLE (id text, search_text text, hit_kind text)
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.search_text, 'e'::text FROM products p
        WHERE p.company_id = p_company
          AND p.id = (SELECT b.product_id FROM barcodes b WHERE b.company_id = p_company AND b.code = p_typed)
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
    UNION ALL SELECT p.id, p.search_text, 'e'::text FROM products p
        WHERE p.company_id = p_company AND p.sku IN (p_typed, upper(p_typed), p_query)
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
    UNION ALL (SELECT p.id, p.search_text, 'p'::text FROM products p
        WHERE p.company_id = p_company
          AND split_part(p.search_text, ' | ', 1) ~>=~ p_query AND split_part(p.search_text, ' | ', 1) ~<~ (p_query || chr(1114111))
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
        LIMIT p_limit)
    UNION ALL (SELECT p.id, p.search_text, 'p'::text FROM products p
        WHERE p.company_id = p_company
          AND split_part(p.search_text, ' | ', 2) ~>=~ p_query AND split_part(p.search_text, ' | ', 2) ~<~ (p_query || chr(1114111))
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
        LIMIT p_limit)
    UNION ALL (SELECT p.id, p.search_text, 'p'::text FROM products p
        WHERE p.company_id = p_company
          AND split_part(p.search_text, ' | ', 3) ~>=~ p_query AND split_part(p.search_text, ' | ', 3) ~<~ (p_query || chr(1114111))
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
        LIMIT p_limit)
    UNION ALL (SELECT p.id, p.search_text, 'p'::text FROM products p
        WHERE p.company_id = p_company
          AND split_part(p.search_text, ' | ', -2) ~>=~ p_query AND split_part(p.search_text, ' | ', -2) ~<~ (p_query || chr(1114111))
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
        LIMIT p_limit)
    UNION ALL (SELECT p.id, p.search_text, 'p'::text FROM products p
        WHERE p.company_id = p_company
          AND split_part(p.search_text, ' | ', -1) ~>=~ p_query AND split_part(p.search_text, ' | ', -1) ~<~ (p_query || chr(1114111))
          AND (p_categories IS NULL OR p.category_id = ANY (string_to_array(p_categories, ',')))
          AND (p_brand IS NULL OR p.brand = p_brand) AND (p_status IS NULL OR p.status = p_status)
        LIMIT p_limit);
END
$$;
ANALYZE products;
