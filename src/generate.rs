//! `segcalc generate`: a synthetic, realistic dataset for benchmarks and tests — partitions,
//! workspaces, users, groups, a static list, and 20 approved segmentations of 10 segments that use
//! every operator family over skewed attributes with nulls. Deterministic: the same `--seed`
//! gives the same files, written a batch at a time so memory does not grow with `--people`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int32Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::{Value, json};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub people: u64,
    pub seed: u64,
    pub out: PathBuf,
    pub files: usize,
    pub sparse_ids: bool,
}

const PARTITIONS: usize = 40;
const BATCH: u64 = 64 * 1024;
const ROW_GROUP: usize = 1024 * 1024;
const INDUSTRIES: [&str; 10] = [
    "Healthcare",
    "Technology",
    "Retail",
    "Finance",
    "Education",
    "Manufacturing",
    "Hospital & Health Care",
    "Média",
    "Energy",
    "Government",
];
const COUNTRIES: [&str; 11] = ["US", "DE", "FR", "GB", "NL", "BR", "IN", "JP", "MX", "ES", "Österreich"];
const STAGES: [&str; 6] = ["lead", "mql", "sql", "opportunity", "customer", "churned"];
const TITLES: [&str; 8] = [
    "Chief Executive Officer",
    "VP Marketing",
    "Marketing Manager",
    "Software Engineer",
    "Director of Sales",
    "Nurse",
    "CFO",
    "Intern",
];
const DOMAINS: [&str; 5] = ["gmail.com", "example.com", "acme.io", "hospital.org", "Uni-Wien.ac.at"];
/// 2026-11-01, the as-of the generated rules are written for.
const AS_OF_DAY: i32 = 20_758;

/// `SplitMix64`: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A skewed pick: index i has weight about 1 / (i + 1).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n - 1)
    }
}

/// Writes `<out>/model.json`, `<out>/people.parquet` (or `people/part-*.parquet`) and `lists/vip.parquet`.
pub fn generate(options: &GenerateOptions) -> Result<u64> {
    if options.people > u64::from(u32::MAX) {
        return Err(Error::Usage { message: "--people can be at most 4294967295".into() });
    }
    if options.files == 0 {
        return Err(Error::Usage { message: "--files must be at least 1".into() });
    }
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(options.out.join("lists")).map_err(write_err(&options.out))?;
    let model_path = options.out.join("model.json");
    let text = serde_json::to_string_pretty(&model()).expect("a serde_json::Value always serializes");
    std::fs::write(&model_path, text).map_err(write_err(&model_path))?;

    let mut rng = Rng(options.seed);
    let per_file = options.people.div_ceil(options.files as u64);
    let mut written = 0u64;
    let mut vip: Vec<u32> = Vec::new();
    for f in 0..options.files {
        let path = if options.files == 1 {
            options.out.join("people.parquet")
        } else {
            let dir = options.out.join("people");
            std::fs::create_dir_all(&dir).map_err(write_err(&dir))?;
            dir.join(format!("part-{f:04}.parquet"))
        };
        let rows = per_file.min(options.people - written);
        let schema = people_schema();
        let file = File::create(&path).map_err(write_err(&path))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let parquet_err = |source| Error::ParquetWrite { path: path.clone(), source };
        let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(parquet_err)?;
        let mut done = 0;
        while done < rows {
            let n = BATCH.min(rows - done);
            let batch = people_batch(&mut rng, &schema, written + done, n, options.sparse_ids, &mut vip)
                .map_err(|e| parquet_err(e.into()))?;
            writer.write(&batch).map_err(parquet_err)?;
            done += n;
        }
        writer.close().map_err(parquet_err)?;
        written += rows;
    }
    let list_path = options.out.join("lists").join("vip.parquet");
    let list_schema = Arc::new(Schema::new(vec![Field::new("person_id", DataType::UInt32, false)]));
    let parquet_err = |source| Error::ParquetWrite { path: list_path.clone(), source };
    let batch = RecordBatch::try_new(list_schema.clone(), vec![Arc::new(UInt32Array::from(vip)) as ArrayRef])
        .map_err(|e| parquet_err(e.into()))?;
    let file = File::create(&list_path).map_err(write_err(&list_path))?;
    let mut writer = ArrowWriter::try_new(file, list_schema, None).map_err(parquet_err)?;
    writer.write(&batch).map_err(parquet_err)?;
    writer.close().map_err(parquet_err)?;
    Ok(written)
}

fn people_schema() -> Arc<Schema> {
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    Arc::new(Schema::new(vec![
        Field::new("person_id", DataType::UInt32, false),
        Field::new("partition", dict.clone(), true),
        Field::new("industry", dict.clone(), true),
        Field::new("country", dict.clone(), true),
        Field::new("job_title", dict.clone(), true),
        Field::new("email", DataType::Utf8, true),
        Field::new("lifecycle_stage", dict, true),
        Field::new("lead_score", DataType::Int32, true),
        Field::new("annual_revenue", DataType::Decimal128(18, 2), true),
        Field::new("employees", DataType::Int64, true),
        Field::new("email_opt_in", DataType::Boolean, true),
        Field::new("last_activity", DataType::Date32, true),
        Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
    ]))
}

/// Person ids: dense `1..=N` shuffled within each batch, or a bijection of the `u32` space
/// (multiplication by an odd constant) for sparse ids.
fn ids(rng: &mut Rng, first: u64, n: u64, sparse: bool) -> Vec<u32> {
    let mut ids: Vec<u32> = (first..first + n)
        .map(|i| if sparse { (i as u32).wrapping_mul(0x9E37_79B1) ^ 0x5bd1_e995 } else { (i + 1) as u32 })
        .collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i as u64 + 1) as usize);
    }
    ids
}

fn people_batch(
    rng: &mut Rng,
    schema: &Arc<Schema>,
    first: u64,
    n: u64,
    sparse: bool,
    vip: &mut Vec<u32>,
) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    let ids = ids(rng, first, n, sparse);
    let mut partition = StringDictionaryBuilder::<Int32Type>::new();
    let mut industry = StringDictionaryBuilder::<Int32Type>::new();
    let mut country = StringDictionaryBuilder::<Int32Type>::new();
    let mut title = StringDictionaryBuilder::<Int32Type>::new();
    let mut email = StringBuilder::new();
    let mut stage = StringDictionaryBuilder::<Int32Type>::new();
    let mut score = Int32Builder::new();
    let mut revenue = Decimal128Builder::new().with_precision_and_scale(18, 2)?;
    let mut employees = Int64Builder::new();
    let mut opt_in = BooleanBuilder::new();
    let mut last = Date32Builder::new();
    let mut created = TimestampMicrosecondBuilder::new().with_timezone("UTC");
    for &id in &ids {
        if rng.chance(1) {
            vip.push(id);
        }
        if rng.chance(1) {
            partition.append_null();
        } else {
            partition.append_value(format!("p{}", rng.skewed(PARTITIONS) + 1));
        }
        let null = |rng: &mut Rng| rng.chance(5);
        if null(rng) {
            industry.append_null();
        } else {
            let name = INDUSTRIES[rng.skewed(INDUSTRIES.len())];
            if rng.chance(20) { industry.append_value(name.to_uppercase()) } else { industry.append_value(name) }
        }
        if null(rng) {
            country.append_null();
        } else {
            country.append_value(COUNTRIES[rng.skewed(COUNTRIES.len())]);
        }
        if null(rng) {
            title.append_null();
        } else {
            let t = TITLES[rng.below(TITLES.len() as u64) as usize];
            if rng.chance(30) { title.append_value(t.to_lowercase()) } else { title.append_value(t) }
        }
        if null(rng) {
            email.append_null();
        } else if rng.chance(2) {
            email.append_value("");
        } else {
            email.append_value(format!("user{}@{}", rng.below(10_000_000), DOMAINS[rng.skewed(DOMAINS.len())]));
        }
        if null(rng) {
            stage.append_null();
        } else {
            stage.append_value(STAGES[rng.skewed(STAGES.len())]);
        }
        if null(rng) {
            score.append_null();
        } else {
            score.append_value(rng.below(131) as i32 - 10);
        }
        if null(rng) {
            revenue.append_null();
        } else {
            // Log-uniform cents between 10^3 and 10^11.
            let exponent = 3.0 + 8.0 * (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
            revenue.append_value(10f64.powf(exponent) as i128);
        }
        if null(rng) {
            employees.append_null();
        } else {
            employees.append_value(1 + (rng.skewed(10_000) as i64) * 3);
        }
        if null(rng) {
            opt_in.append_null();
        } else {
            opt_in.append_value(rng.chance(60));
        }
        if null(rng) {
            last.append_null();
        } else {
            last.append_value(AS_OF_DAY - rng.below(400) as i32);
        }
        if null(rng) {
            created.append_null();
        } else {
            let seconds = i64::from(AS_OF_DAY) * 86_400 + 43_200 - rng.below(3 * 365 * 86_400) as i64;
            created.append_value(seconds * 1_000_000);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from(ids)),
        Arc::new(partition.finish()),
        Arc::new(industry.finish()),
        Arc::new(country.finish()),
        Arc::new(title.finish()),
        Arc::new(email.finish()),
        Arc::new(stage.finish()),
        Arc::new(score.finish()),
        Arc::new(revenue.finish()),
        Arc::new(employees.finish()),
        Arc::new(opt_in.finish()),
        Arc::new(last.finish()),
        Arc::new(created.finish()),
    ];
    RecordBatch::try_new(schema.clone(), columns)
}

/// Ten segments for segmentation k, first match wins, every operator family used across k.
fn segments(k: usize) -> Vec<Value> {
    let industry = INDUSTRIES[k % INDUSTRIES.len()];
    let countries: Vec<&str> = COUNTRIES[k % 5..k % 5 + 3].to_vec();
    vec![
        json!({"id": "vip", "rule": {"member_of_list": "vip"}}),
        json!({"id": "enterprise_health", "rule": {"all": [
            {"field": "industry", "op": "is", "values": ["Healthcare", "Hospital & Health Care"]},
            {"field": "employees", "op": "at_least", "value": 1000 + 100 * k}]}}),
        json!({"id": "exec", "rule": {"any": [
            {"field": "job_title", "op": "contains", "values": ["chief", "vp", "director"]},
            {"field": "job_title", "op": "starts_with", "value": "CFO"}]}}),
        json!({"id": "hot", "rule": {"filters": [
            {"field": "lead_score", "op": "at_least", "value": 80 - k},
            {"field": "last_activity", "op": "in_past", "days": 30 + k},
            {"field": "lifecycle_stage", "op": "is", "values": ["mql", "sql"]}], "logic": "1 and (2 or 3)"}}),
        json!({"id": "industry", "rule": {"all": [
            {"field": "industry", "op": "is", "value": industry},
            {"field": "country", "op": "is_not", "values": countries}]}}),
        json!({"id": "big_revenue", "rule": {"field": "annual_revenue", "op": "between", "min": 1_000_000, "max": 100_000_000 + k}}),
        json!({"id": "consumer_mail", "rule": {"all": [
            {"field": "email", "op": "ends_with", "value": "@gmail.com"},
            {"field": "email_opt_in", "op": "is", "value": true}]}}),
        json!({"id": "new", "rule": {"field": "created_at", "op": "after", "value": format!("2026-{:02}-01", k % 9 + 1)}}),
        json!({"id": "dormant", "rule": {"any": [
            {"field": "last_activity", "op": "before", "value": "2026-01-01"},
            {"field": "lifecycle_stage", "op": "is_empty"},
            {"field": "email", "op": "not_contains", "value": "@"}]}}),
        json!({"id": "cold", "rule": {"not": {"field": "lead_score", "op": "greater_than", "value": 10 + k}}}),
    ]
}

fn model() -> Value {
    let parts: Vec<String> = (1..=PARTITIONS).map(|i| format!("p{i}")).collect();
    let mut workspaces = vec![json!({"id": "default", "name": "Default", "partitions": "all"})];
    for j in 1..=7 {
        workspaces.push(json!({"id": format!("ws{j}"), "partitions": parts[(j - 1) * 5..(j - 1) * 5 + 8]}));
    }
    let mut users = vec![json!({"id": "admin", "admin": true, "workspaces": "all", "groups": ["marketing"]})];
    for j in 1..=7 {
        users.push(json!({"id": format!("u{j}"), "workspaces": [format!("ws{j}")], "groups": if j % 2 == 0 { vec!["marketing"] } else { vec![] }}));
    }
    let segmentations: Vec<Value> = (0..20)
        .map(|k| {
            let origin = if k < 14 { "default".to_owned() } else { format!("ws{}", k - 13) };
            let mut shares: Vec<Value> = (1..=7)
                .filter(|j| format!("ws{j}") != origin && (j + k) % 2 == 0)
                .map(|j| json!({"workspace": format!("ws{j}")}))
                .collect();
            shares.push(if k % 3 == 0 { json!({"group": "marketing"}) } else { json!({"all": true}) });
            json!({"id": format!("seg{k:02}"), "name": format!("Segmentation {k}"), "workspace": origin, "owner": "admin",
                   "status": "approved", "segments": segments(k), "shares": shares})
        })
        .collect();
    json!({
        "workspaces": workspaces,
        "groups": [{"id": "marketing"}],
        "users": users,
        "lists": [{"id": "vip"}],
        "segmentations": segmentations,
    })
}
