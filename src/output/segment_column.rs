//! A membership segment column chunk written straight from one-byte segment codes: a PLAIN
//! dictionary page of the segment ids, then `RLE_DICTIONARY` data pages whose keys are the codes
//! themselves. arrow-rs' generic writer would hash and compare every cell's string to rebuild a
//! dictionary the engine already has; at 10M people that was most of the write phase.

use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::Result;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescriptor;

/// Rows per data page.
const PAGE_ROWS: usize = 64 * 1024;
/// Groups of 8 values per bit-packed run (kept short for conservative readers).
const GROUPS_PER_RUN: usize = 64;

/// Encodes one column chunk. `codes[i]` is an index into `dictionary`, or `null_code` for null.
/// Returns the chunk's bytes (offsets from 0) and what the row group writer needs to append it.
pub fn encode_chunk(
    descr: &Arc<ColumnDescriptor>,
    dictionary: &[&str],
    codes: &[u8],
    null_code: u8,
) -> Result<(Bytes, ColumnCloseResult)> {
    let mut sink = TrackedWrite::new(Vec::new());
    let data_offset;
    {
        let mut pages = SerializedPageWriter::new(&mut sink);
        let mut plain = Vec::new();
        for value in dictionary {
            plain.extend_from_slice(&(value.len() as u32).to_le_bytes());
            plain.extend_from_slice(value.as_bytes());
        }
        let size = plain.len();
        let page = Page::DictionaryPage {
            buf: Bytes::from(plain),
            num_values: dictionary.len() as u32,
            encoding: Encoding::PLAIN,
            is_sorted: false,
        };
        let spec = pages.write_page(CompressedPage::new(page, size))?;
        data_offset = spec.offset + spec.compressed_size as u64;
        let width = bit_width(dictionary.len().saturating_sub(1));
        for page_codes in codes.chunks(PAGE_ROWS) {
            #[allow(clippy::naive_bytecount)] // the compiler vectorises it; not worth a dependency
            let nulls = page_codes.iter().filter(|&&c| c == null_code).count();
            // Definition levels: one run when the page is all values or all nulls (the common
            // cases: a workspace's own segmentations cover most of its rows), else bit-packed.
            let mut level_bytes = Vec::with_capacity(page_codes.len() / 8 + 8);
            match nulls {
                0 => rle_run(page_codes.len(), 1, &mut level_bytes),
                n if n == page_codes.len() => rle_run(page_codes.len(), 0, &mut level_bytes),
                _ => {
                    let levels: Vec<u8> = page_codes.iter().map(|&c| u8::from(c != null_code)).collect();
                    bit_packed(&levels, 1, &mut level_bytes);
                }
            }
            let mut buf = Vec::with_capacity(page_codes.len() / 2 + level_bytes.len() + 16);
            buf.extend_from_slice(&(level_bytes.len() as u32).to_le_bytes());
            buf.extend_from_slice(&level_bytes);
            buf.push(width);
            if nulls == 0 {
                bit_packed(page_codes, width, &mut buf);
            } else {
                let keys: Vec<u8> = page_codes.iter().copied().filter(|&c| c != null_code).collect();
                bit_packed(&keys, width, &mut buf);
            }
            let size = buf.len();
            let page = Page::DataPage {
                buf: Bytes::from(buf),
                num_values: page_codes.len() as u32,
                encoding: Encoding::RLE_DICTIONARY,
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            };
            pages.write_page(CompressedPage::new(page, size))?;
        }
        pages.close()?;
    }
    let total = sink.bytes_written() as i64;
    let bytes = Bytes::from(sink.into_inner()?);
    let metadata = ColumnChunkMetaData::builder(descr.clone())
        .set_compression(Compression::UNCOMPRESSED)
        .set_encodings(vec![Encoding::PLAIN, Encoding::RLE, Encoding::RLE_DICTIONARY])
        .set_num_values(codes.len() as i64)
        .set_total_compressed_size(total)
        .set_total_uncompressed_size(total)
        .set_dictionary_page_offset(Some(0))
        .set_data_page_offset(data_offset as i64)
        .build()?;
    let close = ColumnCloseResult {
        bytes_written: total as u64,
        rows_written: codes.len() as u64,
        metadata,
        bloom_filter: None,
        column_index: None,
        offset_index: None,
    };
    Ok((bytes, close))
}

/// Bits needed for values up to `max` (at least 1).
fn bit_width(max: usize) -> u8 {
    (usize::BITS - max.leading_zeros()).max(1) as u8
}

/// One RLE run of the Parquet hybrid encoding at bit width 1: `count` times `value`.
fn rle_run(count: usize, value: u8, out: &mut Vec<u8>) {
    uleb128(count << 1, out);
    out.push(value);
}

fn uleb128(mut value: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The RLE/bit-packing hybrid of Parquet, bit-packed runs only: each run is a ULEB128 header
/// `(groups << 1) | 1` and `groups` groups of 8 values, `width` bits each, least significant bit
/// first. The last group is padded with zeros; readers stop at the page's value count.
fn bit_packed(values: &[u8], width: u8, out: &mut Vec<u8>) {
    for run in values.chunks(8 * GROUPS_PER_RUN) {
        uleb128((run.len().div_ceil(8) << 1) | 1, out);
        for group in run.chunks(8) {
            let mut bits: u64 = 0;
            for (j, &v) in group.iter().enumerate() {
                bits |= u64::from(v) << (j * usize::from(width));
            }
            out.extend_from_slice(&bits.to_le_bytes()[..usize::from(width)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_packs_like_the_parquet_spec() {
        // The spec's example: 0..7 at width 3 is 0b10001000 0b11000110 0b11111010.
        let mut out = Vec::new();
        bit_packed(&[0, 1, 2, 3, 4, 5, 6, 7], 3, &mut out);
        assert_eq!(out, vec![0b0000_0011, 0b1000_1000, 0b1100_0110, 0b1111_1010]);
        let mut out = Vec::new();
        rle_run(300, 1, &mut out);
        assert_eq!(out, vec![0b1101_1000, 0b0000_0100, 1]);
        assert_eq!(bit_width(0), 1);
        assert_eq!(bit_width(1), 1);
        assert_eq!(bit_width(2), 2);
        assert_eq!(bit_width(253), 8);
    }
}
