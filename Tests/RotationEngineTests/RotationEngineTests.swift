// RotationEngineTests
