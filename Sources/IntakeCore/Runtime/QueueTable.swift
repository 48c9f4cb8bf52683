import IntakePostgres

/// The SQL of one table-backed queue (`intake.deliveries` or `intake.jobs`). Both share the
/// life cycle columns; they differ in what a message carries and what a dead letter keeps.
public struct QueueTable: Sendable {
    public let origin: Origin
    public let table: String
    /// Column naming the handler route: the webhook source, or the job kind.
    public let topicColumn: String
    let bodyExpression: String
    let headersExpression: String
    let deadLetterPayload: String

    public static let deliveries = QueueTable(
        origin: .inbox, table: "intake.deliveries", topicColumn: "source",
        bodyExpression: "d.body",
        headersExpression: "d.headers::text",
        deadLetterPayload: """
            jsonb_build_object('delivery_id', d.id, 'source', d.source, 'external_id', d.external_id,
                'headers', d.headers, 'content_type', d.content_type, 'body_base64', encode(d.body, 'base64'),
                'received_at', d.received_at)
            """)

    public static let jobs = QueueTable(
        origin: .notify, table: "intake.jobs", topicColumn: "kind",
        bodyExpression: "convert_to(d.payload::text, 'UTF8')",
        headersExpression: "'{}'",
        deadLetterPayload: """
            jsonb_build_object('job_id', d.id, 'kind', d.kind, 'payload', d.payload, 'created_at', d.created_at)
            """)

    /// $1 worker, $2 lease seconds, $3 limit → id, topic, body, headers, attempts.
    var claimSQL: String {
        """
        UPDATE \(table) AS d
        SET status = 'processing', attempts = d.attempts + 1, locked_by = $1,
            locked_until = now() + make_interval(secs => $2)
        FROM (SELECT id FROM \(table)
              WHERE status = 'pending' AND run_at <= now()
              ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS c
        WHERE d.id = c.id
        RETURNING d.id, d.\(topicColumn), \(bodyExpression), \(headersExpression), d.attempts
        """
    }

    /// Puts rows whose worker died (lease expired) back to pending, noting it in their history.
    var reclaimExpiredSQL: String {
        """
        UPDATE \(table) AS d
        SET status = 'pending', run_at = now(), locked_by = NULL, locked_until = NULL,
            last_error = 'lease expired: the worker stopped before finishing',
            errors = d.errors || jsonb_build_array(jsonb_build_object(
                'at', now(), 'worker', d.locked_by, 'attempt', d.attempts, 'class', 'retryable',
                'error', 'LeaseExpired', 'message', 'lease expired: the worker stopped before finishing'))
        FROM (SELECT id FROM \(table) WHERE status = 'processing' AND locked_until < now()
              LIMIT 1000 FOR UPDATE SKIP LOCKED) AS e
        WHERE d.id = e.id
        """
    }

    /// $1 ids, $2 worker, $3 lease seconds.
    var renewSQL: String {
        """
        UPDATE \(table) SET locked_until = now() + make_interval(secs => $3)
        WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND status = 'processing'
        """
    }

    /// $1 ids, $2 worker: hands back rows this worker claimed but did not start.
    var releaseSQL: String {
        """
        UPDATE \(table) SET status = 'pending', attempts = greatest(attempts - 1, 0),
            locked_by = NULL, locked_until = NULL
        WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND status = 'processing'
        """
    }

    /// $1 ids, $2 results, $3 worker.
    var succeedSQL: String {
        """
        UPDATE \(table) AS d
        SET status = 'succeeded', finished_at = now(), locked_by = NULL, locked_until = NULL, result = r.result
        FROM unnest($1::bigint[], $2::jsonb[]) AS r(id, result)
        WHERE d.id = r.id AND d.locked_by = $3
        """
    }

    /// $1 ids, $2 delays (seconds), $3 messages, $4 history entries, $5 worker. The backoff
    /// counts from now on the clock, not from the transaction's start (`now()`), which came
    /// before the handlers of the batch ran.
    var retrySQL: String {
        """
        UPDATE \(table) AS d
        SET status = 'pending', run_at = clock_timestamp() + make_interval(secs => r.delay), locked_by = NULL,
            locked_until = NULL, last_error = r.message, errors = d.errors || jsonb_build_array(r.entry)
        FROM unnest($1::bigint[], $2::float8[], $3::text[], $4::jsonb[]) AS r(id, delay, message, entry)
        WHERE d.id = r.id AND d.locked_by = $5
        """
    }

    /// $1 ids, $2 messages, $3 entries, $4 handlers, $5 results, $6 worker: marks rows dead and
    /// returns what their dead letters need (id, handler, payload, attempts, errors), which
    /// ``DeadLetterWriter`` writes in the same transaction.
    var deadSQL: String {
        """
        UPDATE \(table) AS d
        SET status = 'dead', finished_at = now(), locked_by = NULL, locked_until = NULL,
            last_error = r.message, errors = d.errors || jsonb_build_array(r.entry),
            result = coalesce(r.result, d.result)
        FROM unnest($1::bigint[], $2::text[], $3::jsonb[], $4::text[], $5::jsonb[])
            AS r(id, message, entry, handler, result)
        WHERE d.id = r.id AND d.locked_by = $6
        RETURNING d.id::text, r.handler, (\(deadLetterPayload))::text, d.attempts, d.errors::text
        """
    }
}
