#' Bucket tenure in months into the bands the churn model was trained on.
tenure_bucket <- function(months) {
  cut(months, breaks = c(-Inf, 6, 24, Inf), right = FALSE,
      labels = c("new", "established", "loyal"))
}
