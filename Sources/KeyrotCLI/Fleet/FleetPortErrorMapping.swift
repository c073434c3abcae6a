import FleetAWS
import FleetCoordination
import Foundation
import IAMClient

/// Classifies the AWS clients' typed errors as far as the fleet's coordination needs it; the
/// message keeps the client's full, operator-facing description (call, code, what to do).
enum FleetPortErrorMapping {
    static func classified<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as FleetPortError {
            throw error
        } catch let error as AWSServiceError {
            throw FleetPortError(code(of: error), error.description, cause: error)
        } catch let error as IAMError {
            throw FleetPortError(code(of: error), error.description, cause: error)
        } catch let error as SecretValueError {
            throw FleetPortError(.failed, error.description, cause: error)
        }
    }

    static func code(of error: AWSServiceError) -> FleetPortError.Code {
        switch error.code {
        case .conditionalCheckFailed, .transactionCanceled: .conditionFailed
        case .resourceNotFound: .noSuchEntity
        case .unknownAccessKey, .wrongSecret, .expiredToken: .invalidCredentials
        case .unreachable, .timedOut, .connectionLost, .ambiguous, .throttled, .serviceFailure: .unreachable
        default: .failed
        }
    }

    static func code(of error: IAMError) -> FleetPortError.Code {
        switch error.code {
        case .noSuchEntity: .noSuchEntity
        case .limitExceeded: .limitExceeded
        case .unknownAccessKey, .wrongSecret, .expiredToken: .invalidCredentials
        case .unreachable, .timedOut, .connectionLost, .ambiguous, .throttled, .serviceFailure: .unreachable
        default: .failed
        }
    }
}
