//! Array specifications: what an environment produces or accepts, known before the first step.

/// Element type of an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// 8-bit unsigned integers (pixels).
    U8,
    /// 32-bit floats (actions).
    F32,
    /// 64-bit floats (physical state).
    F64,
}

/// Shape, type and (for bounded arrays) element-wise bounds of an array.
#[derive(Clone, Debug, PartialEq)]
pub struct ArraySpec {
    /// A short name, e.g. `"pixels"` or `"action"`.
    pub name: String,
    /// The shape, outermost dimension first (pixels are channel-first: `[C, H, W]`).
    pub shape: Vec<usize>,
    /// The element type.
    pub dtype: DType,
    /// Inclusive lower bound of every element, if bounded.
    pub minimum: Option<f64>,
    /// Inclusive upper bound of every element, if bounded.
    pub maximum: Option<f64>,
}

impl ArraySpec {
    /// An unbounded array.
    pub fn new(name: impl Into<String>, shape: Vec<usize>, dtype: DType) -> Self {
        ArraySpec {
            name: name.into(),
            shape,
            dtype,
            minimum: None,
            maximum: None,
        }
    }

    /// An array whose elements lie in `[minimum, maximum]`.
    pub fn bounded(
        name: impl Into<String>,
        shape: Vec<usize>,
        dtype: DType,
        minimum: f64,
        maximum: f64,
    ) -> Self {
        ArraySpec {
            name: name.into(),
            shape,
            dtype,
            minimum: Some(minimum),
            maximum: Some(maximum),
        }
    }

    /// The number of elements (product of the shape).
    pub fn num_elements(&self) -> usize {
        self.shape.iter().product()
    }
}
