pub use bevy;
