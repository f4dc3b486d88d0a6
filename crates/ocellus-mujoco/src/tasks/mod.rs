//! The tasks, one module per dm_control domain.

pub mod cheetah;
pub mod hopper;
pub mod humanoid;
pub mod manipulator;
pub mod quadruped;
pub mod walker;

use ocellus_envs::EnvError;

use crate::physics::{MjPhysics, ModelSource, Named};

/// dm_control's `small_control` term before its task-specific rescaling: the mean over the
/// actuators of `tolerance(u, margin=1, value_at_margin=0, sigmoid='quadratic')` (hopper,
/// humanoid).
fn small_control(action: &[f64]) -> f64 {
    use ocellus_envs::tolerance::{tolerance, Sigmoid};
    action
        .iter()
        .map(|&u| tolerance(u, (0.0, 0.0), 1.0, Sigmoid::Quadratic, 0.0))
        .sum::<f64>()
        / action.len() as f64
}

/// Loads `source`'s model for `task`, naming the task in any error.
fn load(
    task: &str,
    source: ModelSource,
    camera: usize,
    named: &[Named],
) -> Result<MjPhysics, EnvError> {
    MjPhysics::load(source, camera, named).map_err(|reason| EnvError::Simulator {
        task: task.to_string(),
        reason,
    })
}

/// `xml` without the `<body name="NAME" ...> ... </body>` element, nested bodies included (as
/// dm_control's `xml_tools.find_element` + `remove` on the parsed tree).
fn remove_body(xml: &str, name: &str) -> Result<String, String> {
    let open = format!(r#"<body name="{name}""#);
    let start = xml
        .find(&open)
        .ok_or_else(|| format!("no body `{name}` in the model"))?;
    let mut depth = 0usize;
    let mut at = start;
    loop {
        let next_open = xml[at + 1..].find("<body").map(|i| i + at + 1);
        let next_close = xml[at + 1..]
            .find("</body>")
            .map(|i| i + at + 1)
            .ok_or_else(|| format!("body `{name}` is not closed"))?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o;
            }
            _ if depth == 0 => {
                let end = next_close + "</body>".len();
                return Ok(format!("{}{}", &xml[..start], &xml[end..]));
            }
            _ => {
                depth -= 1;
                at = next_close;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn remove_body_takes_nested_bodies_with_it() {
        let xml = r#"<a><body name="x"><body name="y"></body><geom/></body><body name="z"/></a>"#;
        assert_eq!(
            super::remove_body(xml, "x").unwrap(),
            r#"<a><body name="z"/></a>"#
        );
        assert!(super::remove_body(xml, "w").is_err());
        assert!(super::remove_body("<body name=\"x\">", "x").is_err());
    }
}
