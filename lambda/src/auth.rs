//! Who is calling. In AWS, API Gateway's JWT authorizer has already checked
//! the token and puts its claims in the request context; locally, the
//! server checks an HS256 bearer token itself. Either way a handler gets a
//! [`Caller`] or the request is answered 401.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use copkit_core::{Actor, Clock, SystemClock, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::verified_tokens::VerifiedTokens;

/// How the identity of a request is established.
#[derive(Clone)]
pub enum Authenticator {
    /// Claims from the API Gateway JWT authorizer in the Lambda request
    /// context (HTTP API v2 `authorizer.jwt.claims`, or REST v1
    /// `authorizer.jwt.claims` / `authorizer.claims`). The authorizer has
    /// checked the signature, issuer, audience and expiry.
    ApiGateway,
    /// A bearer JWT signed with HS256 (the local server).
    Hs256(Box<LocalTokens>),
}

/// How local bearer tokens are checked: an HS256 secret, an expiry always
/// (a token without `exp` is refused), `nbf` when present, and the issuer
/// and audience when configured.
#[derive(Clone)]
pub struct LocalTokens {
    decoding: DecodingKey,
    encoding: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
    clock: Arc<dyn Clock>,
    /// What the token library checks (built once, not per request).
    validation: Validation,
    /// Tokens whose signature checked out, shared by the clones.
    verified: Arc<VerifiedTokens>,
}

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: i64 = 30;

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authenticator::ApiGateway => f.write_str("ApiGateway"),
            Authenticator::Hs256(local) => f
                .debug_struct("Hs256")
                .field("issuer", &local.issuer)
                .field("audience", &local.audience)
                .finish_non_exhaustive(),
        }
    }
}

/// One audience, or several (RFC 7519 allows both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(aud) => aud == wanted,
            Audience::Many(auds) => auds.iter().any(|a| a == wanted),
        }
    }
}

/// The claims copkit reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The subject: the user's id.
    pub sub: String,
    /// Their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their email (used only when `email_verified`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the identity provider verified `email`; an unverified email
    /// matches no invitation and receives no mail.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "flexible_bool"
    )]
    pub email_verified: Option<bool>,
    /// Expiry, seconds since the epoch (required on local tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Not before, seconds since the epoch (checked when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The issuer (checked when the server names one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The audience (checked when the server names one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}

/// A boolean claim, as JSON `true` or as the text `"true"` (API Gateway
/// hands claims over as strings).
fn flexible_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(s)) => Some(s == "true"),
        _ => None,
    })
}

impl Claims {
    fn to_actor(&self) -> Result<Actor, ApiError> {
        let user = UserId::new(self.sub.clone()).map_err(|_| ApiError::unauthorized())?;
        if user.is_former_member() {
            // The id erased accounts' contributions carry is nobody's.
            return Err(ApiError::unauthorized());
        }
        let mut actor = Actor::new(user);
        actor.display_name = self.name.clone().filter(|n| !n.is_empty());
        actor.email = self
            .email
            .clone()
            .filter(|e| !e.is_empty() && self.email_verified == Some(true));
        Ok(actor)
    }
}

impl Authenticator {
    /// Local bearer tokens signed with `secret`, checked against the system
    /// clock, any issuer and audience.
    pub fn hs256(secret: &[u8]) -> Self {
        Authenticator::Hs256(Box::new(LocalTokens {
            decoding: DecodingKey::from_secret(secret),
            encoding: EncodingKey::from_secret(secret),
            issuer: None,
            audience: None,
            clock: Arc::new(SystemClock),
            validation: LocalTokens::validation(),
            verified: Arc::default(),
        }))
    }

    /// Local tokens must name this issuer (`iss`).
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        if let Authenticator::Hs256(local) = &mut self {
            local.issuer = Some(issuer.into());
        }
        self
    }

    /// Local tokens must name this audience (`aud`).
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        if let Authenticator::Hs256(local) = &mut self {
            local.audience = Some(audience.into());
        }
        self
    }

    /// Local tokens' `exp` and `nbf` are read against `clock` (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        if let Authenticator::Hs256(local) = &mut self {
            local.clock = clock;
        }
        self
    }

    /// Signs a token for `claims` (local server and tests only).
    pub fn issue(&self, claims: &Claims) -> Option<String> {
        match self {
            Authenticator::Hs256(local) => {
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &local.encoding).ok()
            }
            Authenticator::ApiGateway => None,
        }
    }

    /// The caller of a request, or 401.
    pub fn authenticate(&self, parts: &Parts) -> Result<Actor, ApiError> {
        match self {
            Authenticator::ApiGateway => gateway_claims(parts)
                .ok_or_else(ApiError::unauthorized)?
                .to_actor(),
            Authenticator::Hs256(local) => {
                let header = parts
                    .headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(ApiError::unauthorized)?;
                let token = header
                    .strip_prefix("Bearer ")
                    .or_else(|| header.strip_prefix("bearer "))
                    .ok_or_else(ApiError::unauthorized)?
                    .trim();
                local.verify(token)?.to_actor()
            }
        }
    }
}

impl LocalTokens {
    /// The token library's part of [`LocalTokens::verify`]: HS256, with
    /// `sub` and `exp` present. Times, issuer and audience are checked by
    /// `verify` itself, on copkit's clock.
    fn validation() -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims = HashSet::from(["sub".to_owned(), "exp".to_owned()]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation
    }

    /// The claims of a valid token: signed with the secret, carrying `sub`
    /// and `exp`, not expired, not before its `nbf`, from the configured
    /// issuer to the configured audience. The signature is checked once per
    /// token ([`VerifiedTokens`]); the rest on every request.
    fn verify(&self, token: &str) -> Result<Arc<Claims>, ApiError> {
        let claims = match self.verified.get(token) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(
                    jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
                        .map_err(|_| ApiError::unauthorized())?
                        .claims,
                );
                self.verified.remember(token, claims.clone());
                claims
            }
        };
        let now = self.clock.now().as_second();
        let fresh = claims.exp.is_some_and(|exp| now <= exp + LEEWAY_SECS);
        let started = claims.nbf.is_none_or(|nbf| nbf <= now + LEEWAY_SECS);
        let issuer = self
            .issuer
            .as_ref()
            .is_none_or(|want| claims.iss.as_ref() == Some(want));
        let audience = self
            .audience
            .as_ref()
            .is_none_or(|want| claims.aud.as_ref().is_some_and(|aud| aud.contains(want)));
        if fresh && started && issuer && audience {
            Ok(claims)
        } else {
            Err(ApiError::unauthorized())
        }
    }
}

fn claim_string(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn claims_from_strings(map: &HashMap<String, String>) -> Option<Claims> {
    Some(Claims {
        sub: map.get("sub")?.clone(),
        name: map.get("name").cloned(),
        email: map.get("email").cloned(),
        email_verified: map.get("email_verified").map(|v| v == "true"),
        ..Claims::default()
    })
}

fn claims_from_values(map: &serde_json::Map<String, serde_json::Value>) -> Option<Claims> {
    Some(Claims {
        sub: claim_string(map.get("sub")?)?,
        name: map.get("name").and_then(claim_string),
        email: map.get("email").and_then(claim_string),
        email_verified: map
            .get("email_verified")
            .and_then(claim_string)
            .map(|v| v == "true"),
        ..Claims::default()
    })
}

/// Claims the API Gateway authorizer put in the Lambda request context.
fn gateway_claims(parts: &Parts) -> Option<Claims> {
    use lambda_http::request::RequestContext;
    match parts.extensions.get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(ctx) => {
            let jwt = ctx.authorizer.as_ref()?.jwt.as_ref()?;
            claims_from_strings(&jwt.claims)
        }
        RequestContext::ApiGatewayV1(ctx) => {
            if let Some(jwt) = ctx.authorizer.jwt.as_ref()
                && let Some(c) = claims_from_strings(&jwt.claims)
            {
                return Some(c);
            }
            // Cognito user-pool authorizers on REST APIs put claims here.
            match ctx.authorizer.fields.get("claims")? {
                serde_json::Value::Object(map) => claims_from_values(map),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Arc<Authenticator>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Arc::<Authenticator>::from_ref(state)
            .authenticate(parts)
            .map(Caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::ManualClock;

    const NOW: i64 = 1_772_442_000; // 2026-03-02T09:00:00Z

    fn local() -> Authenticator {
        let clock = ManualClock::new(jiff::Timestamp::from_second(NOW).unwrap_or_default());
        Authenticator::hs256(b"auth tests").with_clock(Arc::new(clock))
    }

    fn claims() -> Claims {
        Claims {
            sub: "helen".into(),
            email: Some("helen@example.nhs.uk".into()),
            email_verified: Some(true),
            exp: Some(NOW + 3600),
            ..Claims::default()
        }
    }

    fn check(auth: &Authenticator, claims: &Claims) -> Result<Actor, ApiError> {
        let token = auth.issue(claims).unwrap_or_default();
        let request = axum::http::Request::builder()
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .body(())
            .unwrap_or_default();
        let (parts, ()) = request.into_parts();
        auth.authenticate(&parts)
    }

    #[test]
    fn a_fresh_token_identifies_its_subject_with_a_verified_email() {
        let actor = check(&local(), &claims()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(actor.user.as_str(), "helen");
        assert_eq!(actor.email.as_deref(), Some("helen@example.nhs.uk"));
    }

    #[test]
    fn an_unverified_email_is_not_the_callers() {
        for verified in [None, Some(false)] {
            let unverified = Claims {
                email_verified: verified,
                ..claims()
            };
            let actor = check(&local(), &unverified).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(actor.email, None, "email_verified {verified:?}");
        }
    }

    #[test]
    fn tokens_without_expiry_expired_or_not_yet_valid_are_refused() {
        let auth = local();
        let refused = [
            Claims {
                exp: None,
                ..claims()
            },
            Claims {
                exp: Some(NOW - LEEWAY_SECS - 1),
                ..claims()
            },
            Claims {
                nbf: Some(NOW + LEEWAY_SECS + 60),
                ..claims()
            },
        ];
        for c in refused {
            assert!(check(&auth, &c).is_err(), "{c:?}");
        }
        let started = Claims {
            nbf: Some(NOW - 60),
            ..claims()
        };
        assert!(check(&auth, &started).is_ok());
    }

    #[test]
    fn issuer_and_audience_are_checked_when_configured_and_accepted_otherwise() {
        let with_both = Claims {
            iss: Some("https://id.example.nhs.uk".into()),
            aud: Some(Audience::Many(vec!["copkit".into(), "other".into()])),
            ..claims()
        };
        // Not configured: any issuer and audience pass.
        assert!(check(&local(), &with_both).is_ok());
        let strict = local()
            .with_issuer("https://id.example.nhs.uk")
            .with_audience("copkit");
        assert!(check(&strict, &with_both).is_ok());
        for wrong in [
            Claims {
                iss: Some("https://evil.example".into()),
                ..with_both.clone()
            },
            Claims {
                iss: None,
                ..with_both.clone()
            },
            Claims {
                aud: Some(Audience::One("someone-else".into())),
                ..with_both.clone()
            },
            Claims {
                aud: None,
                ..with_both.clone()
            },
        ] {
            assert!(check(&strict, &wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn a_remembered_token_still_expires_and_a_forged_one_is_not_taken_for_it() {
        let clock = Arc::new(ManualClock::new(
            jiff::Timestamp::from_second(NOW).unwrap_or_default(),
        ));
        let auth = Authenticator::hs256(b"auth tests").with_clock(clock.clone());
        let token = auth.issue(&claims()).unwrap_or_default();
        let ask = |token: &str| {
            let request = axum::http::Request::builder()
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .body(())
                .unwrap_or_default();
            auth.authenticate(&request.into_parts().0)
        };
        // Twice: checked, then remembered.
        assert!(ask(&token).is_ok());
        assert!(ask(&token).is_ok());
        let Authenticator::Hs256(local) = &auth else {
            panic!("a local authenticator");
        };
        assert_eq!(local.verified.len(), 1);

        // The same claims under another signature, or signed with another
        // secret, are checked on their own and refused.
        let (unsigned, _) = token.rsplit_once('.').unwrap_or_default();
        assert!(ask(&format!("{unsigned}.AAAA")).is_err());
        let other = Authenticator::hs256(b"another secret")
            .issue(&claims())
            .unwrap_or_default();
        assert!(ask(&other).is_err());
        assert_eq!(local.verified.len(), 1, "refused tokens are not remembered");

        // Expiry is read on every request, remembered or not.
        clock.advance(jiff::SignedDuration::from_secs(3600 + LEEWAY_SECS + 1));
        assert!(ask(&token).is_err());
    }

    #[test]
    fn the_former_member_id_signs_in_as_nobody() {
        let erased = Claims {
            sub: UserId::former_member().as_str().into(),
            ..claims()
        };
        assert!(check(&local(), &erased).is_err());
    }
}
