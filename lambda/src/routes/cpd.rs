//! The caller's CPD evidence for an appraisal portfolio, as JSON or CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use copkit_core::service::CpdEvidence;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(evidence))
        .routes(routes!(evidence_csv))
}

/// A period of days.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Period {
    /// First day, `YYYY-MM-DD`.
    #[param(value_type = String, format = Date)]
    from: Date,
    /// Last day, `YYYY-MM-DD` (periods over 366 days start 366 days before it;
    /// a `from` after `to` gives an empty period).
    #[param(value_type = String, format = Date)]
    to: Date,
}

/// Your CPD evidence for a period: events attended with minutes,
/// contributions, and value stories with their text.
#[utoipa::path(get, path = "/me/cpd", tag = "cpd", params(Period),
    responses((status = 200, description = "Your evidence", body = CpdEvidence)))]
async fn evidence(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(p): ApiQuery<Period>,
) -> ApiResult<Json<CpdEvidence>> {
    Ok(Json(s.copkit.cpd_evidence(&me, p.from, p.to).await?))
}

/// The same evidence as CSV, columns `date, kind, community, activity,
/// minutes, hours, reflection, reference` (see the crate docs of
/// `copkit_core::service::cpd`).
#[utoipa::path(get, path = "/me/cpd.csv", tag = "cpd", params(Period),
    responses((status = 200, description = "Your evidence as CSV", content_type = "text/csv", body = String)))]
async fn evidence_csv(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(p): ApiQuery<Period>,
) -> ApiResult<Response> {
    let csv = s.copkit.cpd_evidence(&me, p.from, p.to).await?.to_csv()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"copkit-cpd.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
