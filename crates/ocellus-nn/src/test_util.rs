//! Small tensor builders shared by the unit tests of this crate.

use tch::Tensor;

/// A `[rows, cols]` f32 tensor from its rows.
pub(crate) fn mat(rows: &[&[f32]]) -> Tensor {
    let n = rows[0].len() as i64;
    let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::from_slice(&flat).view([rows.len() as i64, n])
}

/// The rows of a 2-d tensor.
pub(crate) fn rows<T: tch::kind::Element + Copy>(t: &Tensor) -> Vec<Vec<T>> {
    Vec::<Vec<T>>::try_from(t.detach()).expect("a 2-d tensor of T")
}
