//! A dm_control model on MuJoCo as an [`ocellus_physics::Physics`], stepped the way
//! dm_control steps it, and drawn by the native rasteriser from its geoms.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mujoco_rs::mujoco_c::{mjtCamLight, mjtJoint, mjtLightType};
use mujoco_rs::wrappers::mj_data::MjData;
use mujoco_rs::wrappers::mj_model::{MjModel, MjtGeomBase, MjtObjBase};
use ocellus_core::RandomState;
use ocellus_physics::{Physics, StateLengthError};
use ocellus_render::scene::{
    CameraSpec, FloorSpec, LightSpec, Material, Primitive, SceneSetup, Tracking,
};
use ocellus_render::Scene;

/// Where dm_control's suite models are read from: `$OCELLUS_DMC_MODELS`, else the directory
/// `bin/setup-mujoco` fills (`$OCELLUS_CACHE` or `~/.cache/ocellus`, then
/// `mujoco-3.17.0/suite`).
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OCELLUS_DMC_MODELS") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("OCELLUS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/ocellus")))
        .unwrap_or_else(|| PathBuf::from(".cache/ocellus"));
    cache.join("mujoco-3.17.0/suite")
}

/// A named model element a task reads every step, resolved to its index once at load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// A body: its index in `xpos`, `xmat`, `xipos`.
    Body(&'static str),
    /// A sensor: the address of its first value in `sensordata`.
    Sensor(&'static str),
    /// A joint: its index (for `jnt_qposadr`, `jnt_dofadr`, ...).
    Joint(&'static str),
    /// A site: its index in `site_xpos`, `site_xmat`.
    Site(&'static str),
}

/// How one visible geom is drawn.
#[derive(Clone, Copy, Debug)]
struct GeomView {
    id: usize,
    kind: MjtGeomBase,
    size: [f64; 3],
    material: Material,
    /// A site (posed by `site_xpos`/`site_xmat`) rather than a geom.
    site: bool,
}

/// Everything about a loaded model that every copy of the domain shares.
struct Loaded {
    model: Arc<MjModel>,
    geoms: Vec<GeomView>,
    /// Visible planes other than the floor (walls, backdrops), drawn as flat quadrilaterals.
    walls: Vec<GeomView>,
    floor: FloorSpec,
    extent: f64,
}

/// Rewrites a model's XML text, or says why it cannot.
pub type XmlEdit = fn(&str) -> Result<String, String>;

/// Which model a task runs: one of dm_control's suite XML files, optionally edited the way
/// the task's Python module edits it before compiling (quadruped's `make_model`).
#[derive(Clone, Copy, Debug, Eq)]
pub struct ModelSource {
    /// The domain, e.g. `"quadruped"`: the XML file's stem and the scene's name.
    pub domain: &'static str,
    /// Distinguishes edited variants in the per-process cache, e.g. `"quadruped-walk"`.
    pub key: &'static str,
    /// Rewrites the XML text (its `<include>`s already inlined); `None` loads the file as is.
    pub edit: Option<XmlEdit>,
}

impl ModelSource {
    /// `suite/<domain>.xml` unedited.
    pub const fn file(domain: &'static str) -> ModelSource {
        ModelSource {
            domain,
            key: domain,
            edit: None,
        }
    }
}

impl PartialEq for ModelSource {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// Models loaded in this process, by [`ModelSource::key`]: a pool loads each once.
static LOADED: Mutex<Vec<(&'static str, Arc<Loaded>)>> = Mutex::new(Vec::new());

/// `text` with each `<include file="F"/>` replaced by the body of F's `<mujoco>` element
/// (F relative to `dir`), so that an edited model compiles from a string.
fn inline_includes(text: &str, dir: &std::path::Path) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<include file=\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "<include file=\"".len()..];
        let end = after.find('"').ok_or("unterminated <include>")?;
        let close = after.find("/>").ok_or("unterminated <include>")?;
        let path = dir.join(&after[..end]);
        let included = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let body_start = included
            .find("<mujoco>")
            .map(|i| i + "<mujoco>".len())
            .ok_or_else(|| format!("{} has no <mujoco> element", path.display()))?;
        let body_end = included
            .rfind("</mujoco>")
            .ok_or_else(|| format!("{} has no </mujoco>", path.display()))?;
        out.push_str(&included[body_start..body_end]);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// MuJoCo's warnings (e.g. cheetah.xml's deprecated `settotalmass`) go to stderr only, not
/// also to a `MUJOCO_LOG.TXT` in the user's working directory.
fn quiet_log_file() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let config = mujoco_rs::wrappers::mj_logging::log_config().with_logto_file(false);
        // SAFETY: runs once, under the `LOADED` lock, before the first model of the process
        // exists, so no other thread is using MuJoCo yet.
        unsafe { mujoco_rs::wrappers::mj_logging::set_log_config(config) };
    });
}

fn load(source: ModelSource) -> Result<Arc<Loaded>, String> {
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    quiet_log_file();
    if let Some((_, l)) = loaded.iter().find(|(k, _)| *k == source.key) {
        return Ok(l.clone());
    }
    let domain = source.domain;
    let path = models_dir().join(format!("{domain}.xml"));
    if !path.is_file() {
        return Err(format!(
            "dm_control's model {} does not exist: run bin/setup-mujoco (it unpacks \
             dm-control 1.0.50's models there) or point OCELLUS_DMC_MODELS at a directory \
             holding dm_control/suite's XML files",
            path.display()
        ));
    }
    let model = match source.edit {
        None => MjModel::from_xml(&path),
        Some(edit) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let dir = path.parent().unwrap_or(std::path::Path::new("."));
            let edited = edit(&inline_includes(&text, dir)?)
                .map_err(|e| format!("editing {}: {e}", path.display()))?;
            MjModel::from_xml_string(&edited)
        }
    }
    .map_err(|e| format!("MuJoCo could not load {}: {e}", path.display()))?;
    let l = Arc::new(describe(model)?);
    loaded.push((source.key, l.clone()));
    Ok(l)
}

/// The drawing description of `model`: its visible geoms (groups 0-2, as dm_control's default
/// render options), its floor (the first horizontal plane) and other planes.
fn describe(model: MjModel) -> Result<Loaded, String> {
    let mut geoms = Vec::new();
    let mut walls = Vec::new();
    let mut floor = None;
    // World-body geoms' poses (the planes) are only known after a forward pass.
    let mut probe = MjData::new(&model);
    probe.forward();
    let (types, sizes, groups) = (model.geom_type(), model.geom_size(), model.geom_group());
    let (matids, rgbas, mat_rgbas) = (model.geom_matid(), model.geom_rgba(), model.mat_rgba());
    for id in 0..types.len() {
        let rgba = match usize::try_from(matids[id]) {
            Ok(m) => mat_rgbas[m],
            Err(_) => rgbas[id],
        };
        if groups[id] > 2 || rgba[3] == 0.0 {
            continue;
        }
        let kind = types[id];
        let material = usize::try_from(matids[id])
            .ok()
            .and_then(|m| model.id_to_name(MjtObjBase::mjOBJ_MATERIAL, m))
            .map_or(Material::Rgb(rgb_u8(rgba)), |name| {
                palette_material(name).unwrap_or(Material::Rgb(rgb_u8(rgba)))
            });
        let view = GeomView {
            id,
            kind,
            size: sizes[id],
            material,
            site: false,
        };
        if kind == MjtGeomBase::mjGEOM_PLANE {
            let normal_z = probe.geom_xmat()[id][8];
            if floor.is_none() && normal_z > 1.0 - 1e-9 {
                floor = Some(id);
            } else {
                walls.push(view);
            }
            continue;
        }
        geoms.push(view);
    }
    drop(probe);
    // Visible sites (groups 0-2, opaque enough to see: quadruped's pupils) are drawn like
    // geoms; translucent ones (material "site", alpha 0.3) are markers MuJoCo blends in and
    // are left out.
    let (stypes, ssizes, sgroups) = (model.site_type(), model.site_size(), model.site_group());
    let (smatids, srgbas) = (model.site_matid(), model.site_rgba());
    for id in 0..stypes.len() {
        let rgba = match usize::try_from(smatids[id]) {
            Ok(m) => mat_rgbas[m],
            Err(_) => srgbas[id],
        };
        if sgroups[id] > 2 || rgba[3] < 0.5 {
            continue;
        }
        geoms.push(GeomView {
            id,
            kind: stypes[id],
            size: ssizes[id],
            material: Material::Rgb(rgb_u8(rgba)),
            site: true,
        });
    }
    let floor = floor.ok_or("the model has no visible horizontal floor plane")?;
    let pos = model.geom_pos()[floor];
    let size = sizes[floor];
    let floor = FloorSpec {
        center: [pos[0], pos[1]],
        height: pos[2],
        half_size: [size[0], size[1]],
    };
    let extent = model.ffi().stat.extent;
    Ok(Loaded {
        model: Arc::new(model),
        geoms,
        walls,
        floor,
        extent,
    })
}

fn rgb_u8(rgba: [f32; 4]) -> [u8; 3] {
    [0, 1, 2].map(|k| (rgba[k] * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// The palette slot of dm_control's common materials (`suite/common/materials.xml`), so that
/// colour distractions recolour MuJoCo domains like the native ones. Textured materials
/// whose own rgba is white get their texture's colour: "grid" (on walls) its light check,
/// "background" (manipulator's backdrop) its flat colour.
fn palette_material(name: &str) -> Option<Material> {
    Some(match name {
        "grid" => Material::Rgb([51, 77, 102]),
        "background" => Material::Rgb([51, 77, 102]),
        "self" | "self_default" => Material::Body,
        "effector" | "effector_default" => Material::Effector,
        "decoration" => Material::Decoration,
        "target" | "target_default" => Material::Target,
        _ => return None,
    })
}

/// One domain's MuJoCo model and simulation state.
///
/// Stepping follows dm_control's `Physics.step` ("legacy step"): each physics step is
/// `mj_step2` (actuation, acceleration, integration, using the positions and velocities that
/// the previous `mj_step1` computed) followed by `mj_step1`, so that after a step every
/// position- and velocity-dependent quantity (body poses, sensors) describes the new state,
/// as the task's observation and reward read it.
///
/// Each copy owns its model, so that tasks may move bodies between episodes as dm_control
/// moves manipulator's target (`physics.named.model.body_pos`).
#[derive(Clone)]
pub struct MjPhysics {
    domain: &'static str,
    loaded: Arc<Loaded>,
    data: MjData<Box<MjModel>>,
    camera: usize,
    named: Vec<usize>,
}

impl std::fmt::Debug for MjPhysics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MjPhysics")
            .field("domain", &self.domain)
            .field("time", &self.time())
            .finish_non_exhaustive()
    }
}

impl MjPhysics {
    /// Loads `source` (once per process), drawn from camera `camera`, and resolves `named`
    /// for [`MjPhysics::named`]. The state is the model's rest pose, forwarded.
    pub fn load(source: ModelSource, camera: usize, named: &[Named]) -> Result<Self, String> {
        let domain = source.domain;
        let loaded = load(source)?;
        let model = &loaded.model;
        if camera >= model.ffi().ncam as usize {
            return Err(format!("{domain}.xml has no camera {camera}"));
        }
        let sensor_adr = model.sensor_adr();
        let named = named
            .iter()
            .map(|n| {
                let (kind, name) = match *n {
                    Named::Body(name) => (MjtObjBase::mjOBJ_BODY, name),
                    Named::Sensor(name) => (MjtObjBase::mjOBJ_SENSOR, name),
                    Named::Joint(name) => (MjtObjBase::mjOBJ_JOINT, name),
                    Named::Site(name) => (MjtObjBase::mjOBJ_SITE, name),
                };
                let id = model
                    .name_to_id(kind, name)
                    .ok_or_else(|| format!("{domain}.xml has no {n:?}"))?;
                Ok(match n {
                    Named::Sensor(_) => sensor_adr[id] as usize,
                    _ => id,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let data = MjData::new(Box::new((*loaded.model).clone()));
        let mut physics = MjPhysics {
            domain,
            data,
            loaded,
            camera,
            named,
        };
        physics.data.forward();
        Ok(physics)
    }

    /// The index resolved for the `i`-th entry of `named` at [`MjPhysics::load`].
    pub fn named(&self, i: usize) -> usize {
        self.named[i]
    }

    /// The model.
    pub fn model(&self) -> &MjModel {
        self.data.model()
    }

    /// The simulation state (read-only).
    pub fn data(&self) -> &MjData<Box<MjModel>> {
        &self.data
    }

    /// This copy's model, writable for values a task changes between episodes (body
    /// positions and orientations); call [`MjPhysics::forward`] after changing it.
    pub fn model_mut(&mut self) -> &mut MjModel {
        // SAFETY: the caller gets `&mut MjModel`, through which only array values can be
        // written, never sizes: the data's layout stays valid for this model.
        unsafe { self.data.model_mut() }
    }

    /// `qpos`, writable (call [`MjPhysics::forward`] after changing it outside a reset).
    pub fn qpos_mut(&mut self) -> &mut [f64] {
        self.data.qpos_mut()
    }

    /// `qvel`, writable.
    pub fn qvel_mut(&mut self) -> &mut [f64] {
        self.data.qvel_mut()
    }

    /// `mj_forward`: recomputes every derived quantity from the state (dm_control's
    /// `after_reset`, with actuation off, which equals it while `ctrl` is zero as after a
    /// reset).
    pub fn forward(&mut self) {
        self.data.forward();
    }

    /// dm_control's `physics.step(nstep)` with the current controls: `mj_step2`, then
    /// `nstep - 1` full `mj_step`s, then `mj_step1`.
    pub fn legacy_steps(&mut self, nstep: usize) {
        for _ in 0..nstep {
            self.data.step2();
            self.data.step1();
        }
    }

    /// Sets the simulated time (cheetah's reset zeroes it after settling).
    pub fn set_time(&mut self, time: f64) {
        // SAFETY: writing a plain f64 field of mjData.
        unsafe { self.data.ffi_mut().time = time };
    }

    /// dm_control's `randomizers.randomize_limited_and_rotational_joints`: limited hinges
    /// and slides uniform in their range, unlimited hinges uniform in [-π, π], unlimited free
    /// joints' quaternions uniform in [0, 1)^4 normalised and unlimited balls' normal
    /// normalised and limited balls rotated by a random angle below their limit about a
    /// normal random axis, drawing from `rng` joint by joint in model order.
    pub fn randomize_limited_and_rotational_joints(&mut self, rng: &mut RandomState) {
        // The template model (an Arc, not a copy): joints are never edited by a task.
        let model = self.loaded.model.clone();
        let (types, limited, ranges, adrs) = (
            model.jnt_type(),
            model.jnt_limited(),
            model.jnt_range(),
            model.jnt_qposadr(),
        );
        let qpos = self.data.qpos_mut();
        for j in 0..types.len() {
            let adr = adrs[j] as usize;
            let [lo, hi] = ranges[j];
            match (types[j], limited[j]) {
                (mjtJoint::mjJNT_HINGE | mjtJoint::mjJNT_SLIDE, true) => {
                    qpos[adr] = rng.uniform(lo, hi)
                }
                (mjtJoint::mjJNT_HINGE, false) => {
                    qpos[adr] = rng.uniform(-std::f64::consts::PI, std::f64::consts::PI)
                }
                (mjtJoint::mjJNT_BALL, false) => {
                    let q = [0; 4].map(|_| rng.standard_normal());
                    write_normalized(&mut qpos[adr..adr + 4], q);
                }
                (mjtJoint::mjJNT_FREE, false) => {
                    let q = [0; 4].map(|_| rng.random_sample());
                    write_normalized(&mut qpos[adr + 3..adr + 7], q);
                }
                (mjtJoint::mjJNT_BALL, true) => {
                    // `random_limited_quaternion(random, range_max)`: a normal random axis,
                    // an angle uniform in [0, limit), then `mju_axisAngle2Quat`.
                    let axis = [0; 3].map(|_| rng.standard_normal());
                    let n = axis.iter().map(|v| v * v).sum::<f64>().sqrt();
                    let angle = rng.uniform(0.0, hi);
                    let (s, c) = (angle / 2.0).sin_cos();
                    qpos[adr] = c;
                    for k in 0..3 {
                        qpos[adr + 1 + k] = axis[k] / n * s;
                    }
                }
                _ => {}
            }
        }
    }

    /// Body `b`'s frame origin (`xpos`).
    pub fn xpos(&self, b: usize) -> [f64; 3] {
        self.data.xpos()[b]
    }

    /// Body `b`'s orientation (`xmat`, row-major).
    pub fn xmat(&self, b: usize) -> [f64; 9] {
        self.data.xmat()[b]
    }

    /// Body `b`'s centre of mass (`xipos`).
    pub fn xipos(&self, b: usize) -> [f64; 3] {
        self.data.xipos()[b]
    }

    /// `sensordata`.
    pub fn sensordata(&self) -> &[f64] {
        self.data.sensordata()
    }

    /// Body `b`'s orientation quaternion (`xquat`: w, x, y, z).
    pub fn xquat(&self, b: usize) -> [f64; 4] {
        self.data.xquat()[b]
    }

    /// Site `s`'s position (`site_xpos`).
    pub fn site_xpos(&self, s: usize) -> [f64; 3] {
        self.data.site_xpos()[s]
    }

    /// Site `s`'s orientation (`site_xmat`, row-major).
    pub fn site_xmat(&self, s: usize) -> [f64; 9] {
        self.data.site_xmat()[s]
    }

    fn camera_spec(&self) -> CameraSpec {
        let pos = self.data.cam_xpos()[self.camera];
        let m = self.data.cam_xmat()[self.camera];
        // MuJoCo cameras look along their −z axis with +y up; xmat's columns are the axes.
        CameraSpec {
            fovy: self.model().cam_fovy()[self.camera],
            position: pos,
            forward: [-m[2], -m[5], -m[8]],
            up: [m[1], m[4], m[7]],
            near: 0.01 * self.loaded.extent,
        }
    }

    fn light_spec(&self) -> LightSpec {
        let model = self.model();
        match model.light_type().first() {
            Some(mjtLightType::mjLIGHT_DIRECTIONAL) | None => LightSpec::Directional,
            Some(_) => LightSpec::Spot(self.data.light_xpos()[0]),
        }
    }
}

fn write_normalized(out: &mut [f64], q: [f64; 4]) {
    let n = q.iter().map(|v| v * v).sum::<f64>().sqrt();
    for (o, v) in out.iter_mut().zip(q) {
        *o = v / n;
    }
}

impl Physics for MjPhysics {
    fn timestep(&self) -> f64 {
        self.model().ffi().opt.timestep
    }
    fn num_actuators(&self) -> usize {
        self.model().ffi().nu as usize
    }
    fn qpos(&self) -> &[f64] {
        self.data.qpos()
    }
    fn qvel(&self) -> &[f64] {
        self.data.qvel()
    }
    fn set_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), StateLengthError> {
        for (which, have, got) in [
            ("qpos", self.data.qpos().len(), qpos.len()),
            ("qvel", self.data.qvel().len(), qvel.len()),
        ] {
            if have != got {
                return Err(StateLengthError {
                    which,
                    expected: have,
                    got,
                });
            }
        }
        self.data.qpos_mut().copy_from_slice(qpos);
        self.data.qvel_mut().copy_from_slice(qvel);
        self.data.forward();
        Ok(())
    }
    fn time(&self) -> f64 {
        self.data.ffi().time
    }
    /// dm_control's `Physics.reset`: `mj_resetData`, then `mj_forward` (with zero controls,
    /// so equal to its actuation-disabled forward). The task then draws the initial state and
    /// calls [`MjPhysics::forward`] (`reset_context`'s `after_reset`). The first forward
    /// matters to tasks that step during their reset (cheetah): their first `mj_step2` reads
    /// the rest pose's derived quantities.
    fn reset(&mut self) {
        // Bodies a task moved go back to their compiled poses first.
        let loaded = self.loaded.clone();
        let (pos, quat) = (loaded.model.body_pos(), loaded.model.body_quat());
        if self.model().body_pos() != pos || self.model().body_quat() != quat {
            let model = self.model_mut();
            model.body_pos_mut().copy_from_slice(pos);
            model.body_quat_mut().copy_from_slice(quat);
        }
        self.data.reset();
        self.data.forward();
    }
    fn step(&mut self, ctrl: &[f64]) {
        self.data.ctrl_mut().copy_from_slice(ctrl);
        self.legacy_steps(1);
    }
}

impl Scene for MjPhysics {
    fn domain(&self) -> &'static str {
        self.domain
    }

    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: self.domain,
            camera: self.camera_spec(),
            floor: self.loaded.floor,
            light: self.light_spec(),
        }
    }

    /// Planes other than the floor (walls, backdrops), as flat quadrilaterals: their grid
    /// texture is not drawn.
    fn static_primitives(&self, out: &mut Vec<Primitive>) {
        let (xpos, xmat) = (self.data.geom_xpos(), self.data.geom_xmat());
        for g in &self.loaded.walls {
            let (p, m, s) = (xpos[g.id], xmat[g.id], g.size);
            let (u, v) = ([m[0], m[3], m[6]], [m[1], m[4], m[7]]);
            let corner = |a: f64, b: f64| add_scaled(add_scaled(p, u, a * s[0]), v, b * s[1]);
            out.push(Primitive::Quad {
                corners: [
                    corner(-1.0, -1.0),
                    corner(1.0, -1.0),
                    corner(1.0, 1.0),
                    corner(-1.0, 1.0),
                ],
                material: g.material,
            });
        }
        let cam = self.camera_spec();
        let depth = |prim: &Primitive| dot(sub(centroid(prim), cam.position), cam.forward);
        out.sort_by(|a, b| depth(b).total_cmp(&depth(a)));
    }

    /// Every visible geom at its current pose, sorted back to front by its point nearest to
    /// the camera (painter's order). Capsules and spheres are exact; a cylinder is drawn as the capsule
    /// of its radius and half-length, an ellipsoid as the sphere of its mean radius, a box as
    /// its faces turned towards the camera; meshes and height fields are not drawn.
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let start = out.len();
        let (xpos, xmat) = (self.data.geom_xpos(), self.data.geom_xmat());
        let (site_xpos, site_xmat) = (self.data.site_xpos(), self.data.site_xmat());
        let cam = self.camera_spec();
        for g in &self.loaded.geoms {
            let (p, m, s) = if g.site {
                (site_xpos[g.id], site_xmat[g.id], g.size)
            } else {
                (xpos[g.id], xmat[g.id], g.size)
            };
            let axis = |k: usize| [m[k], m[3 + k], m[6 + k]];
            let material = g.material;
            match g.kind {
                MjtGeomBase::mjGEOM_SPHERE | MjtGeomBase::mjGEOM_ELLIPSOID => {
                    let radius = if g.kind == MjtGeomBase::mjGEOM_SPHERE {
                        s[0]
                    } else {
                        (s[0] + s[1] + s[2]) / 3.0
                    };
                    out.push(Primitive::Sphere {
                        center: p,
                        radius,
                        material,
                    });
                }
                MjtGeomBase::mjGEOM_CAPSULE | MjtGeomBase::mjGEOM_CYLINDER => {
                    let z = axis(2);
                    // A cylinder becomes the capsule of the same length: its axis shortened by
                    // the radius at each end (a sphere when it is shorter than wide).
                    let half = if g.kind == MjtGeomBase::mjGEOM_CYLINDER {
                        (s[1] - s[0]).max(0.0)
                    } else {
                        s[1]
                    };
                    out.push(Primitive::Capsule {
                        a: add_scaled(p, z, -half),
                        b: add_scaled(p, z, half),
                        radius: s[0],
                        material,
                    });
                }
                MjtGeomBase::mjGEOM_BOX => {
                    for k in 0..3 {
                        let n = axis(k);
                        for sign in [-1.0, 1.0] {
                            let c = add_scaled(p, n, sign * s[k]);
                            let to_cam = sub(cam.position, c);
                            if dot(to_cam, n) * sign <= 0.0 {
                                continue;
                            }
                            let (u, v) = (axis((k + 1) % 3), axis((k + 2) % 3));
                            let (su, sv) = (s[(k + 1) % 3], s[(k + 2) % 3]);
                            let corner =
                                |a: f64, b: f64| add_scaled(add_scaled(c, u, a * su), v, b * sv);
                            out.push(Primitive::Quad {
                                corners: [
                                    corner(-1.0, -1.0),
                                    corner(1.0, -1.0),
                                    corner(1.0, 1.0),
                                    corner(-1.0, 1.0),
                                ],
                                material,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        // Painter's order by each shape's point nearest to the camera: a hinge cylinder seen
        // end-on (manipulator's arm root) then lies in front of the links that start at it.
        let forward = cam.forward;
        let depth = |p: [f64; 3]| dot(sub(p, cam.position), forward);
        let nearest = |prim: &Primitive| match *prim {
            Primitive::Capsule { a, b, radius, .. } => depth(a).min(depth(b)) - radius,
            Primitive::Sphere { center, radius, .. } => depth(center) - radius,
            _ => depth(centroid(prim)),
        };
        out[start..].sort_unstable_by(|a, b| nearest(b).total_cmp(&nearest(a)));
    }

    /// `None` for a fixed camera (manipulator's), whose background is baked once.
    fn tracking(&self) -> Option<Tracking> {
        if self.model().cam_mode()[self.camera] == mjtCamLight::mjCAMLIGHT_FIXED {
            return None;
        }
        Some(Tracking {
            camera: self.camera_spec(),
            light: self.light_spec(),
        })
    }
}

fn add_scaled(a: [f64; 3], d: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] + s * d[0], a[1] + s * d[1], a[2] + s * d[2]]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn centroid(p: &Primitive) -> [f64; 3] {
    match *p {
        Primitive::Capsule { a, b, .. } => [0, 1, 2].map(|k| 0.5 * (a[k] + b[k])),
        Primitive::Sphere { center, .. }
        | Primitive::Disc { center, .. }
        | Primitive::Box { center, .. } => center,
        Primitive::Quad { corners, .. } => {
            [0, 1, 2].map(|k| 0.25 * corners.iter().map(|c| c[k]).sum::<f64>())
        }
    }
}
