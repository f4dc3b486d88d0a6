//! Boundary checks shared by the public functions: kinds, shapes, devices, mask contents.
//!
//! Every public entry point validates its tensors here first, so the arithmetic after the checks
//! can use tch's panicking operators without a user being able to trigger a panic.

use tch::{Device, Kind, Tensor};

use crate::error::{GrpoError, Result};

/// `t` must hold floating-point values (f16, bf16, f32 or f64).
pub(crate) fn float(name: &'static str, t: &Tensor) -> Result<()> {
    let kind = t.f_kind()?;
    match kind {
        Kind::Half | Kind::BFloat16 | Kind::Float | Kind::Double => Ok(()),
        other => Err(GrpoError::input(
            name,
            format!("expected a floating-point tensor, got {other:?}"),
        )),
    }
}

/// `t` must be 2-D; returns `(rows, cols)`.
pub(crate) fn dims2(name: &'static str, t: &Tensor) -> Result<(i64, i64)> {
    match t.size().as_slice() {
        &[rows, cols] => Ok((rows, cols)),
        other => Err(GrpoError::Shape {
            name,
            got: other.to_vec(),
            expected: "a 2-D tensor".into(),
        }),
    }
}

/// `t` must have exactly `expected` as its shape.
pub(crate) fn shape(name: &'static str, t: &Tensor, expected: &[i64]) -> Result<()> {
    let got = t.size();
    if got.as_slice() == expected {
        Ok(())
    } else {
        Err(GrpoError::Shape {
            name,
            got,
            expected: format!("{expected:?}"),
        })
    }
}

/// `t` must live on `device` (mixing devices would make libtorch panic inside tch's operators).
pub(crate) fn device(name: &'static str, t: &Tensor, device: Device) -> Result<()> {
    let got = t.device();
    if got == device {
        Ok(())
    } else {
        Err(GrpoError::input(
            name,
            format!("on device {got:?}, expected {device:?}"),
        ))
    }
}

/// `t` must contain only finite values.
pub(crate) fn finite(name: &'static str, t: &Tensor) -> Result<()> {
    let all_finite = t.f_isfinite()?.f_all()?.f_int64_value(&[])? != 0;
    if all_finite {
        Ok(())
    } else {
        Err(GrpoError::input(name, "contains NaN or infinite values"))
    }
}

/// A 0/1 mask (bool, integer or float kind) converted to `kind`.
pub(crate) fn binary_mask(name: &'static str, mask: &Tensor, kind: Kind) -> Result<Tensor> {
    let m = mask.f_to_kind(kind)?;
    let not_binary = m
        .f_ne(0.0)?
        .f_logical_and(&m.f_ne(1.0)?)?
        .f_any()?
        .f_int64_value(&[])?
        != 0;
    if not_binary {
        return Err(GrpoError::input(name, "mask values must be 0 or 1"));
    }
    Ok(m)
}
