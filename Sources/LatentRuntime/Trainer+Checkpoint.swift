import Foundation
import LatentIR

/// Checkpoints: parameters, optimizer moments and update counts, and the training position
/// (step, epoch, cursors). Random numbers need no state: they follow from seed and step.
extension Trainer {
    public func writeCheckpoint(to path: String) throws(Safetensors.Failure) {
        var entries: [Safetensors.Entry] = []
        for (index, parameter) in program.parameters.enumerated() {
            entries.append(Safetensors.Entry(name: parameter.name, shape: parameter.shape, values: store.values(index)))
        }
        for (index, slot) in optimizers.slots.enumerated() {
            let shape = program.parameters[slot.parameter].shape
            entries.append(
                Safetensors.Entry(
                    name: slot.momentName("m", program), shape: shape, values: Array(optimizers.first[index])))
            entries.append(
                Safetensors.Entry(
                    name: slot.momentName("v", program), shape: shape, values: Array(optimizers.second[index])))
        }
        let metadata = [
            "format": "latent-checkpoint-1", "program": program.name, "seed": String(seed), "step": String(step),
            "epoch": String(epoch), "cursor": String(cursor), "labelled_cursor": String(labelledCursor),
            "updates": optimizers.updates.map(String.init).joined(separator: ","),
        ]
        try Safetensors.write(entries, metadata: metadata, to: path)
    }

    /// Continues from a checkpoint of the same program and seed.
    public func resume(from path: String) throws(Safetensors.Failure) {
        let (entries, metadata) = try Safetensors.read(path: path)
        guard metadata["program"] == program.name, metadata["seed"] == String(seed) else {
            throw Safetensors.Failure(
                description:
                    "\(path) is a checkpoint of '\(metadata["program"] ?? "?")' with seed \(metadata["seed"] ?? "?"), not of '\(program.name)' with seed \(seed)"
            )
        }
        let updates = (metadata["updates"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard let step = metadata["step"].flatMap(UInt64.init), let epoch = metadata["epoch"].flatMap(Int.init),
            let cursor = metadata["cursor"].flatMap(Int.init),
            let labelled = metadata["labelled_cursor"].flatMap(Int.init),
            updates.count == optimizers.slots.count
        else { throw Safetensors.Failure(description: "\(path): the checkpoint's counters are missing or damaged") }
        try store.load(entries, from: path)
        for (index, slot) in optimizers.slots.enumerated() {
            try Safetensors.copy(
                entries, slot.momentName("m", program), program.parameters[slot.parameter].shape,
                into: optimizers.first[index], path)
            try Safetensors.copy(
                entries, slot.momentName("v", program), program.parameters[slot.parameter].shape,
                into: optimizers.second[index], path)
        }
        optimizers.updates = updates
        restorePosition(step: step, epoch: epoch, cursor: cursor, labelledCursor: labelled)
    }
}

extension ParameterStore {
    /// Sets every parameter from a checkpoint's tensors of the same name and shape.
    public func load(_ entries: [String: Safetensors.Entry], from path: String) throws(Safetensors.Failure) {
        for (index, parameter) in parameters.enumerated() {
            try Safetensors.copy(entries, parameter.name, parameter.shape, into: buffers[index], path)
        }
    }
}

extension Safetensors {
    /// Copies the tensor `name` into `target`, or explains what is missing.
    static func copy(
        _ entries: [String: Entry], _ name: String, _ shape: [Int],
        into target: UnsafeMutableBufferPointer<Float>,
        _ path: String
    ) throws(Failure) {
        guard let entry = entries[name], entry.shape == shape else {
            throw Failure(
                description: "\(path) has no tensor '\(name)' of shape \(shape): it is not a checkpoint of this spec"
            )
        }
        for (offset, value) in entry.values.enumerated() { target[offset] = value }
    }
}
