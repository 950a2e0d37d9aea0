# Models are added by the feature issues (policies, holds, cases, outbox).
