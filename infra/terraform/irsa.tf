# IAM roles for Kubernetes service accounts (EKS IRSA), created when oidc_provider_arn is set.
# Annotate the service accounts in infra/k8s/serviceaccounts.yaml with the role_arns output.

locals {
  irsa_enabled = var.oidc_provider_arn != ""
  # arn:aws:iam::123456789012:oidc-provider/oidc.eks.REGION.amazonaws.com/id/XXXX -> issuer
  oidc_issuer = local.irsa_enabled ? element(split(":oidc-provider/", var.oidc_provider_arn), 1) : ""

  all_workload_roles = {
    sqs-worker = {
      policy_arn = aws_iam_policy.sqs_worker.arn
      subjects = compact([
        "system:serviceaccount:${var.k8s_namespace}:${var.sqs_worker_service_account}",
        # KEDA (TriggerAuthentication identityOwner: workload) assumes this role to read the
        # queue depth; the role can do that already.
        var.keda_operator_service_account == "" ? "" : "system:serviceaccount:${var.keda_operator_service_account}",
      ])
    }
    notify-worker = {
      policy_arn = aws_iam_policy.notify_worker.arn
      subjects   = ["system:serviceaccount:${var.k8s_namespace}:${var.notify_worker_service_account}"]
    }
  }
  workload_roles = { for name, role in local.all_workload_roles : name => role if local.irsa_enabled }

  ops_role_enabled = local.irsa_enabled || length(var.ops_trusted_principal_arns) > 0
}

data "aws_iam_policy_document" "workload_trust" {
  for_each = local.workload_roles

  statement {
    sid     = "ServiceAccounts"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = each.value.subjects
    }
  }
}

resource "aws_iam_role" "workload" {
  for_each = local.workload_roles

  name               = "${var.name_prefix}-${each.key}"
  description        = "intake-${each.key} pods (IRSA)"
  assume_role_policy = data.aws_iam_policy_document.workload_trust[each.key].json
}

resource "aws_iam_role_policy_attachment" "workload" {
  for_each = local.workload_roles

  role       = aws_iam_role.workload[each.key].name
  policy_arn = each.value.policy_arn
}

# The ops role: the intakectl toolbox pod (IRSA) and/or named people.
data "aws_iam_policy_document" "ops_trust" {
  count = local.ops_role_enabled ? 1 : 0

  dynamic "statement" {
    for_each = local.irsa_enabled ? [1] : []
    content {
      sid     = "ToolboxServiceAccount"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [var.oidc_provider_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "${local.oidc_issuer}:aud"
        values   = ["sts.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "${local.oidc_issuer}:sub"
        values   = ["system:serviceaccount:${var.k8s_namespace}:${var.ops_service_account}"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.ops_trusted_principal_arns) > 0 ? [1] : []
    content {
      sid     = "Operators"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = var.ops_trusted_principal_arns
      }
    }
  }
}

resource "aws_iam_role" "ops" {
  count = local.ops_role_enabled ? 1 : 0

  name                 = "${var.name_prefix}-ops"
  description          = "intakectl operators"
  assume_role_policy   = data.aws_iam_policy_document.ops_trust[0].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "ops" {
  count = local.ops_role_enabled ? 1 : 0

  role       = aws_iam_role.ops[0].name
  policy_arn = aws_iam_policy.ops.arn
}
