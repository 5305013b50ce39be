import Foundation
import Synchronization

/// SIGINT (Ctrl-C) and SIGTERM ask the training loop to write a checkpoint and stop at the
/// end of the step; the command then exits with 130 or 143.
enum Interruption {
    static let signal = Atomic<Int32>(0)
    static var requested: Int32? {
        let number = signal.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    static func install() {
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number) { Interruption.signal.store($0, ordering: .relaxed) }
        }
    }
}
