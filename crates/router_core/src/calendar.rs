//! Opening hours: a queue's weekly intervals in an IANA time zone plus
//! dated overrides, and the answers the router needs from them (is the
//! queue open at an instant, when does that next change).
//!
//! The router's time is seconds from its epoch (`RouterConfig::epoch`,
//! Unix seconds of `now = 0`); a calendar turns it into the zone's local
//! time with `chrono-tz` (the IANA database), so daylight-saving changes
//! follow the zone's rules. Local times that do not exist (the hour skipped
//! in spring) mean the first instant after the gap; local times that
//! happen twice (the hour repeated in autumn) mean the first of them.

use crate::error::{Error, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// Monday = 0 ... Sunday = 6.
    fn index(self) -> usize {
        self as usize
    }

    /// Reads `mon` ... `sun` (or the full English name, any case).
    pub fn parse(s: &str) -> Result<Day> {
        let l = s.to_ascii_lowercase();
        let d = match l.get(..3).filter(|_| l.len() == 3 || Self::FULL.contains(&l.as_str())) {
            Some("mon") => Day::Mon,
            Some("tue") => Day::Tue,
            Some("wed") => Day::Wed,
            Some("thu") => Day::Thu,
            Some("fri") => Day::Fri,
            Some("sat") => Day::Sat,
            Some("sun") => Day::Sun,
            _ => {
                return Err(Error::invalid(format!(
                    "unknown day {s:?}: expected mon, tue, wed, thu, fri, sat or sun"
                )))
            }
        };
        Ok(d)
    }

    const FULL: [&'static str; 7] =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// The short lowercase name.
    pub fn as_str(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }
}

/// Opening hours on the given days: from `open` to `close`, local times
/// `"HH:MM"` (or `"HH:MM:SS"`). `close` may be `"24:00"` (midnight at the
/// end of the day); a `close` not after `open` runs past midnight into the
/// next day (`"22:00"`–`"02:00"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// The days these hours start on.
    pub days: Vec<Day>,
    /// Opening time.
    pub open: String,
    /// Closing time.
    pub close: String,
}

/// Opening hours within one day: `open` before `close`, `close` at most
/// `"24:00"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// Opening time `"HH:MM"`.
    pub open: String,
    /// Closing time `"HH:MM"` (`"24:00"`: midnight at the end of the day).
    pub close: String,
}

/// Hours that replace the weekly ones on a date (or the dates `date` to
/// `through`, inclusive), local midnight to midnight: no hours closes the
/// day (a holiday); hours open exactly then (a special opening, a short
/// day). Weekly hours running past midnight into an overridden day stop
/// at that midnight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOverride {
    /// First date, `"YYYY-MM-DD"`.
    pub date: String,
    /// Last date, inclusive (`None`: `date` only).
    #[serde(default)]
    pub through: Option<String>,
    /// Opening hours on those dates; empty: closed all day.
    #[serde(default)]
    pub hours: Vec<Hours>,
    /// A label for people (`"Christmas"`).
    #[serde(default)]
    pub name: String,
}

/// A queue's opening hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// IANA time zone (`"Europe/Paris"`, `"America/New_York"`, `"UTC"`).
    pub time_zone: String,
    /// Weekly opening hours; a day none covers is closed.
    #[serde(default)]
    pub weekly: Vec<WeeklyHours>,
    /// Dated exceptions to the weekly hours.
    #[serde(default)]
    pub overrides: Vec<DateOverride>,
}

/// Seconds in a day.
const DAY: u32 = 86_400;

/// A validated calendar: intervals as seconds from local midnight.
#[derive(Clone, Debug)]
pub struct CompiledCalendar {
    tz: Tz,
    /// Per weekday (Monday first): `[start, end)` seconds from that day's
    /// local midnight; `end` up to 48 h (past midnight), sorted.
    weekly: [Vec<(u32, u32)>; 7],
    /// Per overridden date: `[start, end)` within the day, sorted.
    overrides: BTreeMap<NaiveDate, Vec<(u32, u32)>>,
}

/// Parses `"HH:MM"` or `"HH:MM:SS"` (24:00 allowed when `end`) to seconds.
fn parse_time(what: &str, s: &str, end: bool) -> Result<u32> {
    let bad = || {
        Error::invalid(format!(
            "{what} {s:?} is not a time of day \"HH:MM\" (00:00 to {})",
            if end { "24:00" } else { "23:59" }
        ))
    };
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts.iter().any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().expect("two digits")).collect();
    let (h, m, sec) = (n[0], n[1], n.get(2).copied().unwrap_or(0));
    if m > 59 || sec > 59 {
        return Err(bad());
    }
    let t = h * 3600 + m * 60 + sec;
    if h > 24 || t > DAY || (t == DAY && !end) {
        return Err(bad());
    }
    Ok(t)
}

fn parse_date(what: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| Error::invalid(format!("{what} {s:?} is not a date \"YYYY-MM-DD\"")))
}

fn hhmm(t: u32) -> String {
    let t = if t == DAY { t } else { t % DAY };
    match t % 60 {
        0 => format!("{:02}:{:02}", t / 3600, t / 60 % 60),
        s => format!("{:02}:{:02}:{s:02}", t / 3600, t / 60 % 60),
    }
}

/// The first pair of overlapping intervals in a sorted list.
fn overlap(list: &[(u32, u32)]) -> Option<((u32, u32), (u32, u32))> {
    list.windows(2).find(|w| w[1].0 < w[0].1).map(|w| (w[0], w[1]))
}

impl Calendar {
    /// Validates the calendar (`what` names it in errors) and compiles it.
    ///
    /// Errors: `InvalidInput` naming an unknown time zone, a bad time or
    /// date, an empty interval, overlapping intervals or overrides.
    pub fn compile(&self, what: &str) -> Result<CompiledCalendar> {
        let tz: Tz = self.time_zone.parse().map_err(|_| {
            Error::invalid(format!(
                "{what}: unknown time zone {:?} (an IANA name such as \"Europe/Paris\")",
                self.time_zone
            ))
        })?;
        let mut weekly: [Vec<(u32, u32)>; 7] = Default::default();
        for (i, w) in self.weekly.iter().enumerate() {
            let wwhat = format!("{what}: weekly[{i}]");
            let open = parse_time(&format!("{wwhat}: open"), &w.open, false)?;
            let close = parse_time(&format!("{wwhat}: close"), &w.close, true)?;
            if open == close {
                return Err(Error::invalid(format!(
                    "{wwhat}: open {:?} and close {:?} are the same time (a whole day is \"00:00\" to \"24:00\")",
                    w.open, w.close
                )));
            }
            if w.days.is_empty() {
                return Err(Error::invalid(format!("{wwhat}: no days")));
            }
            let end = if close > open { close } else { close + DAY };
            for d in &w.days {
                weekly[d.index()].push((open, end));
            }
        }
        // Overlaps, within a day and across midnight into the next.
        for d in 0..7 {
            weekly[d].sort_unstable();
            let next = (d + 1) % 7;
            let mut all: Vec<(u32, u32)> = weekly[d].clone();
            all.extend(weekly[next].iter().map(|&(a, b)| (a + DAY, b + DAY)));
            all.sort_unstable();
            if let Some((a, b)) = overlap(&all) {
                let day = |t: u32| {
                    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                        [if t >= DAY { next } else { d }]
                };
                return Err(Error::invalid(format!(
                    "{what}: weekly hours overlap: {} {}-{} and {} {}-{}",
                    day(a.0),
                    hhmm(a.0),
                    hhmm(a.1),
                    day(b.0),
                    hhmm(b.0),
                    hhmm(b.1)
                )));
            }
        }
        let mut overrides: BTreeMap<NaiveDate, Vec<(u32, u32)>> = BTreeMap::new();
        for (i, o) in self.overrides.iter().enumerate() {
            let owhat = format!("{what}: overrides[{i}]");
            let first = parse_date(&format!("{owhat}: date"), &o.date)?;
            let last = match &o.through {
                None => first,
                Some(t) => parse_date(&format!("{owhat}: through"), t)?,
            };
            if last < first {
                return Err(Error::invalid(format!(
                    "{owhat}: through {:?} is before date {:?}",
                    o.through.as_deref().unwrap_or(""),
                    o.date
                )));
            }
            if (last - first).num_days() > 3660 {
                return Err(Error::invalid(format!(
                    "{owhat}: {:?} to {:?} spans more than ten years",
                    o.date,
                    o.through.as_deref().unwrap_or("")
                )));
            }
            let mut hours = Vec::with_capacity(o.hours.len());
            for (j, h) in o.hours.iter().enumerate() {
                let hwhat = format!("{owhat}: hours[{j}]");
                let open = parse_time(&format!("{hwhat}: open"), &h.open, false)?;
                let close = parse_time(&format!("{hwhat}: close"), &h.close, true)?;
                if close <= open {
                    return Err(Error::invalid(format!(
                        "{hwhat}: close {:?} is not after open {:?} (an override's hours stay within its day)",
                        h.close, h.open
                    )));
                }
                hours.push((open, close));
            }
            hours.sort_unstable();
            if let Some((a, b)) = overlap(&hours) {
                return Err(Error::invalid(format!(
                    "{owhat}: hours overlap: {}-{} and {}-{}",
                    hhmm(a.0),
                    hhmm(a.1),
                    hhmm(b.0),
                    hhmm(b.1)
                )));
            }
            let mut day = first;
            while day <= last {
                if overrides.insert(day, hours.clone()).is_some() {
                    return Err(Error::invalid(format!(
                        "{owhat}: date {day} is already overridden by an earlier override"
                    )));
                }
                day = day.succ_opt().expect("a date before the end of time");
            }
        }
        Ok(CompiledCalendar { tz, weekly, overrides })
    }
}

/// Unix seconds to a UTC date-time (`None` beyond about 100 000 years,
/// well inside chrono's range, so that the days after it exist too).
fn utc(unix: f64) -> Option<NaiveDateTime> {
    if !unix.is_finite() || unix.abs() > 3e12 {
        return None;
    }
    let secs = unix.floor();
    let nanos = ((unix - secs) * 1e9) as u32;
    chrono::DateTime::from_timestamp(secs as i64, nanos.min(999_999_999)).map(|d| d.naive_utc())
}

impl CompiledCalendar {
    /// The instant (Unix seconds) of a local date-time: the first after a
    /// gap, the first of a repeated hour.
    fn instant(&self, local: NaiveDateTime) -> f64 {
        let mut t = local;
        for _ in 0..=(26 * 60) {
            match self.tz.from_local_datetime(&t) {
                chrono::LocalResult::Single(d) => return d.timestamp() as f64,
                chrono::LocalResult::Ambiguous(a, _) => return a.timestamp() as f64,
                chrono::LocalResult::None => t += Duration::minutes(1),
            }
        }
        // No zone has a gap this long; read it as UTC.
        local.and_utc().timestamp() as f64
    }

    /// The open intervals starting on local date `day`, as local
    /// date-times (those running into an overridden next day cut at
    /// midnight).
    fn day_intervals(&self, day: NaiveDate, out: &mut Vec<(NaiveDateTime, NaiveDateTime)>) {
        let midnight = day.and_time(NaiveTime::MIN);
        let at = |s: u32| midnight + Duration::seconds(i64::from(s));
        if let Some(hours) = self.overrides.get(&day) {
            out.extend(hours.iter().map(|&(a, b)| (at(a), at(b))));
            return;
        }
        let next_overridden = day.succ_opt().is_some_and(|n| self.overrides.contains_key(&n));
        let wd = day.weekday().num_days_from_monday() as usize;
        for &(a, b) in &self.weekly[wd] {
            let b = if next_overridden { b.min(DAY) } else { b };
            if b > a {
                out.push((at(a), at(b)));
            }
        }
    }

    /// The open intervals (Unix seconds, merged where they touch) of the
    /// local days `from` to `to`, plus the previous day's running past
    /// midnight.
    fn intervals(&self, from: NaiveDate, to: NaiveDate) -> Vec<(f64, f64)> {
        let mut local = Vec::new();
        let mut day = from.pred_opt().unwrap_or(from);
        while day <= to {
            self.day_intervals(day, &mut local);
            match day.succ_opt() {
                Some(n) => day = n,
                None => break,
            }
        }
        let mut out: Vec<(f64, f64)> = Vec::with_capacity(local.len());
        for (a, b) in local {
            let (a, b) = (self.instant(a), self.instant(b));
            if b <= a {
                continue; // swallowed by a gap
            }
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        out
    }

    /// The local date of a Unix instant.
    fn local_date(&self, unix: f64) -> Option<NaiveDate> {
        utc(unix).map(|u| self.tz.from_utc_datetime(&u).date_naive())
    }

    /// Whether the calendar is open at Unix instant `unix`.
    pub fn is_open(&self, unix: f64) -> bool {
        let Some(d) = self.local_date(unix) else { return false };
        self.intervals(d, d).iter().any(|&(a, b)| a <= unix && unix < b)
    }

    /// The first instant after `unix` at which the calendar opens or
    /// closes; `None` if it never changes again (always open or closed
    /// from there, past its last override).
    pub fn next_change(&self, unix: f64) -> Option<f64> {
        let start = self.local_date(unix)?;
        let last_override = self.overrides.keys().next_back().copied().unwrap_or(start);
        // Eight days past the later of today and the last override: a
        // whole week of weekly hours, plus a night running past midnight.
        let horizon = start.max(last_override) + Duration::days(8);
        // A week at a time: most answers are within the first.
        let mut from = start;
        let mut open_until: Option<f64> = None;
        while from <= horizon {
            let to = (from + Duration::days(7)).min(horizon);
            for (a, b) in self.intervals(from, to) {
                if let Some(end) = open_until {
                    if a <= end {
                        open_until = Some(end.max(b));
                        continue;
                    }
                    return Some(end);
                }
                if b <= unix {
                    continue;
                }
                if a > unix {
                    return Some(a);
                }
                open_until = Some(b); // open now: until this (merged) interval ends
            }
            match to.succ_opt() {
                Some(n) => from = n,
                None => break,
            }
        }
        // Open through the horizon: it closes only if the last interval
        // ends before the horizon's days run out.
        let end = open_until?;
        let horizon_end = self.instant((horizon + Duration::days(1)).and_time(NaiveTime::MIN));
        (end < horizon_end).then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(tz: &str, weekly: &[(&[Day], &str, &str)]) -> Calendar {
        Calendar {
            time_zone: tz.into(),
            weekly: weekly
                .iter()
                .map(|(d, o, c)| WeeklyHours {
                    days: d.to_vec(),
                    open: o.to_string(),
                    close: c.to_string(),
                })
                .collect(),
            overrides: vec![],
        }
    }

    fn unix(tz: &str, s: &str) -> f64 {
        let tz: Tz = tz.parse().unwrap();
        let ndt = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        tz.from_local_datetime(&ndt).earliest().unwrap().timestamp() as f64
    }

    const WEEKDAYS: &[Day] = &[Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri];

    #[test]
    fn weekly_hours_open_and_close() {
        let c = cal("Europe/Paris", &[(WEEKDAYS, "09:00", "17:00")]).compile("q").unwrap();
        let z = "Europe/Paris";
        // 2026-12-04 is a Friday.
        assert!(!c.is_open(unix(z, "2026-12-04 08:59")));
        assert!(c.is_open(unix(z, "2026-12-04 09:00")));
        assert!(c.is_open(unix(z, "2026-12-04 16:59")));
        assert!(!c.is_open(unix(z, "2026-12-04 17:00")));
        assert_eq!(c.next_change(unix(z, "2026-12-04 08:00")), Some(unix(z, "2026-12-04 09:00")));
        assert_eq!(c.next_change(unix(z, "2026-12-04 09:00")), Some(unix(z, "2026-12-04 17:00")));
        // Friday evening: next opening is Monday.
        assert_eq!(c.next_change(unix(z, "2026-12-04 17:00")), Some(unix(z, "2026-12-07 09:00")));
    }

    #[test]
    fn nights_past_midnight_and_whole_days_merge() {
        let all: &[Day] = &[Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
        let c = cal("UTC", &[(all, "00:00", "24:00")]).compile("q").unwrap();
        assert!(c.is_open(1e9));
        assert_eq!(c.next_change(1e9), None);
        let c = cal("UTC", &[(&[Day::Fri], "22:00", "02:00")]).compile("q").unwrap();
        let fri = unix("UTC", "2026-12-04 23:00");
        assert!(c.is_open(fri));
        assert!(c.is_open(unix("UTC", "2026-12-05 01:59")));
        assert_eq!(c.next_change(fri), Some(unix("UTC", "2026-12-05 02:00")));
        let never = cal("UTC", &[]).compile("q").unwrap();
        assert!(!never.is_open(0.0));
        assert_eq!(never.next_change(0.0), None);
    }

    #[test]
    fn daylight_saving_days_are_23_and_25_hours() {
        let z = "Europe/Paris";
        let all: &[Day] = &[Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
        let c = cal(z, &[(all, "09:00", "17:00")]).compile("q").unwrap();
        // Spring forward: 2026-03-29. Saturday close to Sunday close.
        let sat = c.next_change(unix(z, "2026-03-28 10:00")).unwrap();
        let sun = c.next_change(unix(z, "2026-03-29 10:00")).unwrap();
        assert_eq!(sun - sat, 23.0 * 3600.0);
        // Fall back: 2026-10-25.
        let sat = c.next_change(unix(z, "2026-10-24 10:00")).unwrap();
        let sun = c.next_change(unix(z, "2026-10-25 10:00")).unwrap();
        assert_eq!(sun - sat, 25.0 * 3600.0);
        // A whole-day calendar: the day itself is 23 hours long.
        let day = cal(z, &[(&[Day::Sun], "00:00", "24:00")]).compile("q").unwrap();
        let open = day.next_change(unix(z, "2026-03-28 12:00")).unwrap();
        let close = day.next_change(open).unwrap();
        assert_eq!(close - open, 23.0 * 3600.0);
        // An opening inside the skipped hour opens when the gap ends.
        let gap = cal(z, &[(&[Day::Sun], "02:30", "05:00")]).compile("q").unwrap();
        let open = gap.next_change(unix(z, "2026-03-29 00:00")).unwrap();
        assert_eq!(open, unix(z, "2026-03-29 03:00"));
    }

    #[test]
    fn overrides_close_and_open_days() {
        let z = "America/New_York";
        let mut c = cal(z, &[(WEEKDAYS, "09:00", "17:00")]);
        c.overrides.push(DateOverride {
            date: "2026-12-25".into(),
            through: None,
            hours: vec![],
            name: "Christmas".into(),
        });
        c.overrides.push(DateOverride {
            date: "2026-12-26".into(),
            through: None,
            hours: vec![Hours { open: "10:00".into(), close: "12:00".into() }],
            name: "Boxing day sale".into(),
        });
        let c = c.compile("q").unwrap();
        assert!(!c.is_open(unix(z, "2026-12-25 10:00")));
        assert!(c.is_open(unix(z, "2026-12-24 10:00")));
        assert_eq!(c.next_change(unix(z, "2026-12-24 18:00")), Some(unix(z, "2026-12-26 10:00")));
        assert_eq!(c.next_change(unix(z, "2026-12-26 10:00")), Some(unix(z, "2026-12-26 12:00")));
        assert_eq!(c.next_change(unix(z, "2026-12-26 12:00")), Some(unix(z, "2026-12-28 09:00")));
    }

    #[test]
    fn bad_calendars_name_the_value() {
        let err = |c: Calendar| c.compile("queue \"q\"").unwrap_err().message().to_string();
        let e = err(cal("Mars/Olympus", &[]));
        assert!(e.contains("unknown time zone \"Mars/Olympus\""), "{e}");
        let e = err(cal("UTC", &[(WEEKDAYS, "09:00", "17:00"), (&[Day::Fri], "16:00", "18:00")]));
        assert!(e.contains("weekly hours overlap: fri 09:00-17:00 and fri 16:00-18:00"), "{e}");
        let e =
            err(cal("UTC", &[(&[Day::Sun], "22:00", "03:00"), (&[Day::Mon], "02:00", "05:00")]));
        assert!(e.contains("overlap"), "{e}");
        let e = err(cal("UTC", &[(WEEKDAYS, "9:00", "17:00")]));
        assert!(e.contains("open \"9:00\" is not a time of day"), "{e}");
        let e = err(cal("UTC", &[(WEEKDAYS, "09:00", "09:00")]));
        assert!(e.contains("are the same time"), "{e}");
        let mut c = cal("UTC", &[]);
        c.overrides.push(DateOverride {
            date: "2026-02-30".into(),
            through: None,
            hours: vec![],
            name: String::new(),
        });
        assert!(err(c).contains("date \"2026-02-30\" is not a date"));
        assert!(Day::parse("Friday").is_ok() && Day::parse("fr").is_err());
        // Times beyond the calendar's range: closed, never changing.
        let c = cal("UTC", &[(WEEKDAYS, "09:00", "17:00")]).compile("q").unwrap();
        for t in [f64::MAX, -f64::MAX, 1e300, f64::INFINITY] {
            assert!(!c.is_open(t));
            assert_eq!(c.next_change(t), None);
        }
    }
}
