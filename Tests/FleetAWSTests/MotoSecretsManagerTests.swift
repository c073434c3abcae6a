import FleetAWS
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The fleet's secret protocol against moto (authentication on), signed by a user allowed only
/// the fleet host's actions.
@Suite(.enabled(if: MotoServer.shouldRun, Comment(rawValue: Repository.skipReason)))
struct MotoSecretsManagerTests {
    @Test func aRotationsStagesMoveAsTheProtocolSays() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let name = MotoServer.uniqueName("keyrotd/fleet")
        let (first, second) = (RotationToken(rotation: 1), RotationToken(rotation: 2))
        let (old, new) = (MotoFleet.pair(1), MotoFleet.pair(2))
        _ = try await fleet.secrets.createSecret(name: name, pair: old, token: first, credentials: fleet.admin)

        var stages = try await fleet.secrets.describeSecret(name, credentials: host)
        #expect(stages.versionStages == [first.rawValue: [SecretStage.current]])

        let put = try await fleet.secrets.putPendingValue(name, pair: new, token: second, credentials: host)
        #expect(put == second.rawValue)
        // A retried put (same token, same value) is a no-op.
        _ = try await fleet.secrets.putPendingValue(name, pair: new, token: second, credentials: host)
        stages = try await fleet.secrets.describeSecret(name, credentials: host)
        #expect(stages.version(holding: SecretStage.pending) == second.rawValue)
        #expect(stages.version(holding: SecretStage.current) == first.rawValue)

        #expect(try await fleet.secrets.getSecretValue(name, .stage(SecretStage.pending), credentials: host).credentials == new)
        #expect(try await fleet.secrets.getSecretValue(name, .versionID(first.rawValue), credentials: host).credentials == old)
        #expect(try await fleet.secrets.getSecretValue(name, .stage(SecretStage.current), credentials: host).credentials == old)

        try await fleet.secrets.moveCurrent(name, to: second.rawValue, from: first.rawValue, credentials: host)
        try await fleet.secrets.removeStage(SecretStage.pending, from: second.rawValue, name, credentials: host)
        stages = try await fleet.secrets.describeSecret(name, credentials: host)
        #expect(Set(stages.versionStages[second.rawValue] ?? []) == [SecretStage.current])
        #expect(Set(stages.versionStages[first.rawValue] ?? []) == [SecretStage.previous])
        let current = try await fleet.secrets.getSecretValue(name, .stage(SecretStage.current), credentials: host)
        #expect(current.credentials == new)
        #expect(current.versionID == second.rawValue)
    }

    /// A late promotion (its base no longer current) is refused; a redo of a done move or removal succeeds.
    @Test func promotionIsACompareAndSwapAndStageChangesAreIdempotent() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let name = MotoServer.uniqueName("keyrotd/fleet")
        let (one, two, three) = (RotationToken(rotation: 1).rawValue, RotationToken(rotation: 2).rawValue, RotationToken(rotation: 3).rawValue)
        _ = try await fleet.secrets.createSecret(name: name, pair: MotoFleet.pair(1), token: RotationToken(rotation: 1), credentials: fleet.admin)
        try await fleet.secrets.putPendingValue(name, pair: MotoFleet.pair(2), token: RotationToken(rotation: 2), credentials: host)
        try await fleet.secrets.moveCurrent(name, to: two, from: one, credentials: host)
        try await fleet.secrets.removeStage(SecretStage.pending, from: two, name, credentials: host)
        // A takeover redoing both steps.
        try await fleet.secrets.moveCurrent(name, to: two, from: one, credentials: host)
        try await fleet.secrets.removeStage(SecretStage.pending, from: two, name, credentials: host)
        #expect(try await fleet.secrets.describeSecret(name, credentials: host).version(holding: SecretStage.current) == two)

        // A deposed leader's late promotion of a rotation that was rolled back, from the old base.
        try await fleet.secrets.putPendingValue(name, pair: MotoFleet.pair(3), token: RotationToken(rotation: 3), credentials: host)
        let late = await #expect(throws: AWSServiceError.self) {
            try await fleet.secrets.moveCurrent(name, to: three, from: one, credentials: host)
        }
        #expect(late?.code == .invalidRequest)
        #expect(try await fleet.secrets.describeSecret(name, credentials: host).version(holding: SecretStage.current) == two)
    }

    @Test func aMissingSecretIsResourceNotFoundAndASecondCreateIsResourceExists() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let missing = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.secrets.describeSecret(MotoServer.uniqueName("absent"), credentials: host)
        }
        #expect(missing?.code == .resourceNotFound)
        let name = MotoServer.uniqueName("keyrotd/fleet")
        _ = try await fleet.secrets.createSecret(name: name, pair: MotoFleet.pair(1), token: RotationToken(rotation: 1), credentials: fleet.admin)
        let exists = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.secrets.createSecret(name: name, pair: MotoFleet.pair(1), token: RotationToken(rotation: 9), credentials: fleet.admin)
        }
        #expect(exists?.code == .resourceExists)
    }

    /// The host's policy has no secretsmanager:CreateSecret: moto's policy check refuses it, typed.
    @Test func anActionOutsideTheHostsPolicyIsAccessDenied() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let denied = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.secrets.createSecret(name: MotoServer.uniqueName("keyrotd/fleet"), pair: MotoFleet.pair(1),
                                                     token: RotationToken(rotation: 1), credentials: host)
        }
        #expect(denied?.code == .accessDenied)
        #expect(denied?.description.contains("secretsmanager:CreateSecret") == true)
    }
}
