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
