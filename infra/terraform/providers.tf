provider "aws" {
  region = var.region

  # LocalStack accepts any credentials; against AWS the usual chain applies (environment,
  # shared profile, SSO, instance or pod role).
  access_key = var.use_localstack ? "test" : null
  secret_key = var.use_localstack ? "test" : null

  s3_use_path_style           = var.use_localstack || var.s3_use_path_style
  skip_credentials_validation = var.use_localstack || var.skip_credentials_validation
  skip_metadata_api_check     = var.use_localstack
  skip_requesting_account_id  = var.use_localstack

  dynamic "endpoints" {
    for_each = var.use_localstack ? [var.localstack_endpoint] : []
    content {
      iam = endpoints.value
      s3  = endpoints.value
      sqs = endpoints.value
      sts = endpoints.value
    }
  }

  default_tags {
    tags = merge(
      {
        Project   = "intake"
        ManagedBy = "terraform"
      },
      var.tags,
    )
  }
}
