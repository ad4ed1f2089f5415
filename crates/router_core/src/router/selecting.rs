//! Selectors on contacts: compiling them and the signature they give a
//! contact as time passes (see `index.rs` for how they are indexed).

use super::index::{SelId, SigId, SkillSet, View};
use super::Router;
use crate::error::{Error, Result};
use crate::model::ContactSpec;
use crate::selector::{Expr, Selector};
use crate::types::{check_time, Attrs, Time};

/// How many priority points an expedite clause adds while it applies:
/// more than any two priorities can differ by in practice, so the contact
/// goes ahead of its queue.
pub(super) const EXPEDITE: i64 = 1 << 40;

/// What a step does to the selector in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) enum StepSel {
    /// Keeps it.
    Keep,
    /// Drops it (every agent qualifies).
    Drop,
    /// `in force OR this`.
    Widen(SelId),
    /// This instead.
    Replace(SelId),
}

/// A contact's selectors (absent for a contact without any).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct SelState {
    /// The selector in force (of the language), after the steps applied.
    pub base: Option<SelId>,
    /// Structured clauses: (clause, seconds after arrival when it stops
    /// applying (infinite: never), expedite).
    pub clauses: Vec<(SelId, Time, bool)>,
    /// Per relaxation step, what it does to `base`.
    pub steps: Vec<StepSel>,
    /// Weighted preferences.
    pub prefs: Vec<(SelId, u32)>,
    /// When the clauses' time counts from: the contact's first arrival
    /// (a transfer does not restart it); `None` before it arrives (every
    /// clause applies).
    pub since: Option<Time>,
}

impl SelState {
    /// Whether clause `i` applies at `now` (the arithmetic of its expiry
    /// timer).
    #[inline]
    pub fn applies(&self, i: usize, now: Time) -> bool {
        let e = self.clauses[i].1;
        e.is_infinite() || self.since.is_none_or(|s| s + e > now)
    }

    /// When the next clause stops applying, after `now`.
    pub fn next_expiry(&self, now: Time) -> Option<Time> {
        let since = self.since?;
        (0..self.clauses.len())
            .filter(|&i| self.applies(i, now) && self.clauses[i].1.is_finite())
            .map(|i| since + self.clauses[i].1)
            .reduce(f64::min)
    }
}

impl Router {
    /// Compiles a contact's selectors: its selector, structured clauses,
    /// its steps' selectors and its preferences (`None` when it has none).
    pub(super) fn compile_selection(
        &mut self,
        what: &dyn Fn() -> String,
        spec: &ContactSpec,
    ) -> Result<Option<Box<SelState>>> {
        let any = !spec.selector.is_empty()
            || !spec.selectors.is_empty()
            || !spec.preferences.is_empty()
            || spec.steps.iter().any(|s| s.selector.is_some());
        if !any {
            return Ok(None);
        }
        let base = self.compile_selector(&spec.selector);
        let mut clauses = Vec::with_capacity(spec.selectors.len());
        for (i, cl) in spec.selectors.iter().enumerate() {
            let e = Expr::clause(&cl.key, cl.op, &cl.value).map_err(|e| {
                Error::invalid(format!("{}: selectors[{i}]: {}", what(), e.message()))
            })?;
            let expires = match cl.expires_after {
                Some(t) => {
                    check_time(&format!("{}: selectors[{i}]: expires_after", what()), t)?;
                    t
                }
                None => f64::INFINITY,
            };
            clauses.push((self.index.selector(e), expires, cl.expedite));
        }
        let steps = self.compile_step_sels(&spec.steps);
        let prefs = self.compile_preferences(what, &spec.preferences)?;
        Ok(Some(Box::new(SelState { base, clauses, steps, prefs, since: None })))
    }

    /// What each step does to the selector in force.
    pub(super) fn compile_step_sels(&mut self, specs: &[crate::model::StepSpec]) -> Vec<StepSel> {
        specs
            .iter()
            .map(|s| match &s.selector {
                None => StepSel::Keep,
                Some(sel) => match self.compile_selector(sel) {
                    None => StepSel::Drop,
                    Some(id) if s.replace_selector => StepSel::Replace(id),
                    Some(id) => StepSel::Widen(id),
                },
            })
            .collect()
    }

    /// Interns a selector of the language (`None` when empty): by its
    /// canonical text, without copying it when known.
    pub(super) fn compile_selector(&mut self, s: &Selector) -> Option<SelId> {
        let e = s.expr()?;
        match self.index.sel_ids.get(s.text()) {
            Some(&id) => Some(id),
            None => Some(self.index.selector(e.clone())),
        }
    }

    /// Compiles weighted preferences (weights 1-1000).
    pub(super) fn compile_preferences(
        &mut self,
        what: &dyn Fn() -> String,
        prefs: &[crate::model::Preference],
    ) -> Result<Vec<(SelId, u32)>> {
        let mut out = Vec::with_capacity(prefs.len());
        for (i, p) in prefs.iter().enumerate() {
            if !(1..=1000).contains(&p.weight) {
                return Err(Error::invalid(format!(
                    "{}: preferences[{i}]: weight {} is outside the allowed range 1..=1000",
                    what(),
                    p.weight
                )));
            }
            let Some(id) = self.compile_selector(&p.selector) else {
                return Err(Error::invalid(format!(
                    "{}: preferences[{i}]: the selector is empty (it would prefer every agent)",
                    what()
                )));
            };
            out.push((id, p.weight));
        }
        Ok(out)
    }

    /// The signature of requirements `reqs` under selectors `sel` at `now`:
    /// the selector in force AND every clause that still applies;
    /// expedite while an expedite clause applies.
    pub(super) fn sig_with(&mut self, reqs: SkillSet, sel: Option<&SelState>, now: Time) -> SigId {
        let Some(s) = sel else { return self.index.sig(reqs) };
        let mut parts: Vec<SelId> = s.base.into_iter().collect();
        let mut expedite = false;
        for (i, &(c, _, x)) in s.clauses.iter().enumerate() {
            if s.applies(i, now) {
                parts.push(c);
                expedite |= x;
            }
        }
        let sel = match parts[..] {
            [] => None,
            [one] => Some(one),
            _ => {
                let e = Expr::all(parts.iter().map(|&p| self.index.sels[p as usize].expr.clone()))
                    .expect("two parts or more");
                Some(self.index.selector(e))
            }
        };
        self.index.sig_of((reqs, sel, expedite))
    }

    /// The selector in force after a step's change.
    pub(super) fn step_base(&mut self, base: Option<SelId>, change: StepSel) -> Option<SelId> {
        match change {
            StepSel::Keep => base,
            StepSel::Drop => None,
            StepSel::Replace(s) => Some(s),
            StepSel::Widen(s) => base.map(|b| {
                let e = Expr::Or(
                    Box::new(self.index.sels[b as usize].expr.clone()),
                    Box::new(self.index.sels[s as usize].expr.clone()),
                );
                self.index.selector(e)
            }),
        }
    }

    /// The preference points of a contact's weighted preferences for an
    /// agent (its profile's skills, its attributes).
    pub(super) fn pref_bonus(&self, ci: u32, profile: u32, attrs: &Attrs) -> u32 {
        let Some(s) = self.contact(ci).sel.as_deref() else { return 0 };
        if s.prefs.is_empty() {
            return 0;
        }
        let view = View {
            ids: &self.index.skill_ids,
            skills: &self.index.profiles[profile as usize].skills,
            attrs,
        };
        s.prefs
            .iter()
            .filter(|(p, _)| self.index.sels[*p as usize].expr.matches(&view))
            .map(|&(_, w)| w)
            .sum()
    }

    /// Whether agent `ai` passes the per-agent part of contact `ci`'s
    /// selector in force.
    #[inline]
    pub(super) fn admits(&self, ci: u32, ai: u32) -> bool {
        self.sig_admits(self.contact(ci).sig, ai)
    }

    /// [`Router::admits`] for signature `sig`.
    #[inline]
    pub(super) fn sig_admits(&self, sig: SigId, ai: u32) -> bool {
        if !self.index.sigs[sig as usize].residual {
            return true;
        }
        let a = self.agent(ai);
        self.index.admits(sig, a.profile, a.class, &a.attributes)
    }
}
