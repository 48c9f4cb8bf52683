import IntakePostgres

extension CoreSchema {
    /// Version 9: one history format for every origin. SQS entries written before kept their
    /// wait as `retry_in_seconds`; every entry now says `retry_in_ms`, as the table consumers
    /// always did (docs/ARCHITECTURE.md, "Dead letters"). Also indexes dead letters by origin
    /// and reference, where a message is looked up before its letter is written (never twice).
    static let attemptHistory = Migration(
        version: 9, name: "dead letters: one history format, lookup by origin reference",
        sql: """
            CREATE FUNCTION intake.retry_in_ms(errors jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
                SELECT coalesce(jsonb_agg(
                    CASE WHEN e ? 'retry_in_seconds'
                         THEN (e - 'retry_in_seconds')
                              || jsonb_build_object('retry_in_ms', ((e ->> 'retry_in_seconds')::numeric * 1000)::bigint)
                         ELSE e END
                    ORDER BY n), '[]'::jsonb)
                FROM jsonb_array_elements(errors) WITH ORDINALITY AS x(e, n)
            $$;
            UPDATE intake.sqs_failures SET errors = intake.retry_in_ms(errors)
            WHERE jsonb_path_exists(errors, '$[*].retry_in_seconds');
            UPDATE intake.dead_letters SET errors = intake.retry_in_ms(errors)
            WHERE origin = 'sqs' AND jsonb_path_exists(errors, '$[*].retry_in_seconds');
            DROP FUNCTION intake.retry_in_ms(jsonb);
            CREATE INDEX dead_letters_origin_ref ON intake.dead_letters (origin, origin_ref);
            """)
}
