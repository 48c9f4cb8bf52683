# Least-privilege policies, one per kind of process. The receiver and the inbox worker touch
# only PostgreSQL and need no AWS identity at all.
#
#   sqs-worker     consume the event queue + read imports, archive them
#   notify-worker  read imports, archive them (s3.reprocess jobs run an S3 import without SQS)
#   ops            intakectl: status (queue depths), dlq replay (re-send to the queue),
#                  reprocess (check the object), and draining the SQS DLQ by hand
#   keda-sqs       read the queue depth, for a KEDA operator that uses its own identity

# --- building blocks ----------------------------------------------------------------------

data "aws_iam_policy_document" "sqs_consume" {
  statement {
    sid = "ConsumeEventQueue"
    # IAM has no separate Batch actions: DeleteMessageBatch and ChangeMessageVisibilityBatch
    # are authorised by DeleteMessage and ChangeMessageVisibility.
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = [aws_sqs_queue.events.arn]
  }
}

data "aws_iam_policy_document" "s3_import" {
  statement {
    sid = "ReadImports"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      # CopyObject to the archive copies tags along when the object has any.
      "s3:GetObjectTagging",
      "s3:GetObjectVersionTagging",
    ]
    resources = [for p in local.readable_prefixes : "${aws_s3_bucket.uploads.arn}/${p}*"]
  }

  # Without ListBucket S3 answers 403 instead of 404 for a missing key, and Intake records a
  # vanished object as a skipped import only on 404.
  statement {
    sid       = "Tell404From403"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.uploads.arn]
  }

  statement {
    sid = "WriteArchive"
    actions = [
      "s3:PutObject",
      "s3:PutObjectTagging",
    ]
    resources = ["${aws_s3_bucket.uploads.arn}/${var.archive_prefix}*"]
  }

  # Archiving is copy-then-delete of the original. On a versioned bucket this only adds a
  # delete marker; no permission to delete versions is granted.
  statement {
    sid       = "DeleteArchivedOriginals"
    actions   = ["s3:DeleteObject"]
    resources = [for p in var.archive_source_prefixes : "${aws_s3_bucket.uploads.arn}/${p}*"]
  }

  dynamic "statement" {
    for_each = local.use_kms ? [var.kms_key_arn] : []
    content {
      sid = "UseBucketKey"
      actions = [
        "kms:Decrypt",
        "kms:GenerateDataKey",
      ]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "ops" {
  statement {
    sid = "ReplayToEventQueue"
    actions = [
      "sqs:SendMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = [aws_sqs_queue.events.arn]
  }

  statement {
    sid = "InspectAndRedriveDlq"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:StartMessageMoveTask",
      "sqs:ListMessageMoveTasks",
      "sqs:CancelMessageMoveTask",
    ]
    resources = [aws_sqs_queue.events_dlq.arn]
  }

  statement {
    sid = "ReadImports"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
    ]
    resources = [for p in local.readable_prefixes : "${aws_s3_bucket.uploads.arn}/${p}*"]
  }

  statement {
    sid       = "ListUploads"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.uploads.arn]
  }

  dynamic "statement" {
    for_each = local.use_kms ? [var.kms_key_arn] : []
    content {
      sid       = "DecryptWithBucketKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "keda_sqs_scaler" {
  statement {
    sid       = "ReadQueueDepth"
    actions   = ["sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.events.arn]
  }
}

# --- policies -----------------------------------------------------------------------------

data "aws_iam_policy_document" "sqs_worker" {
  source_policy_documents = [
    data.aws_iam_policy_document.sqs_consume.json,
    data.aws_iam_policy_document.s3_import.json,
  ]
}

resource "aws_iam_policy" "sqs_worker" {
  name        = "${var.name_prefix}-sqs-worker"
  description = "intake-sqs-worker: consume ${local.queue_name}, read imports from ${local.bucket_name}, archive to ${var.archive_prefix}"
  policy      = data.aws_iam_policy_document.sqs_worker.json
}

resource "aws_iam_policy" "notify_worker" {
  name        = "${var.name_prefix}-notify-worker"
  description = "intake-notify-worker: s3.reprocess imports from ${local.bucket_name}, archive to ${var.archive_prefix}"
  policy      = data.aws_iam_policy_document.s3_import.json
}

resource "aws_iam_policy" "ops" {
  name        = "${var.name_prefix}-ops"
  description = "intakectl: queue status, dead-letter replay to ${local.queue_name}, SQS DLQ redrive, reprocess checks"
  policy      = data.aws_iam_policy_document.ops.json
}

resource "aws_iam_policy" "keda_sqs_scaler" {
  name        = "${var.name_prefix}-keda-sqs-scaler"
  description = "KEDA aws-sqs-queue scaler: read the depth of ${local.queue_name}"
  policy      = data.aws_iam_policy_document.keda_sqs_scaler.json
}
