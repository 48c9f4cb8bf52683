# The AWS side of Intake: an uploads bucket whose ObjectCreated events (under the route
# prefixes) go to an SQS queue with a dead-letter queue, and least-privilege IAM for the
# processes that touch them. Names match docker-compose.yml / localstack/init when
# name_prefix is "intake".

data "aws_caller_identity" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  bucket_name = coalesce(var.bucket_name, "${var.name_prefix}-uploads")
  queue_name  = "${var.name_prefix}-s3-events"
  dlq_name    = "${var.name_prefix}-s3-events-dlq"
  use_kms     = var.kms_key_arn != null

  # Keys the workers may read: what is announced, plus the archive (to reprocess a file).
  readable_prefixes = distinct(concat(var.notification_prefixes, [var.archive_prefix]))

  # An archive prefix inside a notified prefix would announce every archived copy again.
  archive_outside_notifications = alltrue([
    for p in var.notification_prefixes :
    !startswith(var.archive_prefix, p) && !startswith(p, var.archive_prefix)
  ])
}
