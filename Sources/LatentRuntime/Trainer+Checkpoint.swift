import Foundation
import LatentData
import LatentIR

/// Checkpoints: parameters, optimizer moments and update counts, the training position
/// (step, epoch, cursors) and the resolved spec they belong to. Random numbers need no
/// state: they follow from seed and step. Everything read back is checked: counters against
/// the data and schedule, tensors for shape and finiteness, the spec for changes.
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
                    name: optimizers.momentName("m", slot: index), shape: shape, values: Array(optimizers.first[index])))
            entries.append(
                Safetensors.Entry(
                    name: optimizers.momentName("v", slot: index), shape: shape, values: Array(optimizers.second[index])))
        }
        let metadata = [
            "format": "latent-checkpoint-1", "program": program.name, "seed": String(seed), "step": String(step),
            "epoch": String(epoch), "cursor": String(cursor), "labelled_cursor": String(labelledCursor),
            "updates": optimizers.updates.map(String.init).joined(separator: ","), "spec": specText,
        ]
        try Safetensors.write(entries, metadata: metadata, to: path)
    }

    /// Continues from a checkpoint of the same program, seed and resolved spec (apart from
    /// the training length, which may change).
    public func resume(from path: String) throws(Safetensors.Failure) {
        let (entries, metadata) = try Safetensors.read(path: path)
        guard metadata["seed"] == String(seed) else {
            throw Safetensors.Failure(
                description: "\(path) is a checkpoint of a run with seed \(metadata["seed"] ?? "?"), not seed \(seed)")
        }
        if let changes = Self.specChanges(from: metadata["spec"] ?? "", to: specText) {
            throw Safetensors.Failure(
                description:
                    "\(path) was trained from a different spec: \(changes). Only the training length (steps, epochs) may change on --resume; train the changed spec into a new run directory"
            )
        }
        let updates = (metadata["updates"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0)
        }
        // The furthest epoch the checkpoint's step can have reached (the product of sizes from
        // a hand-edited file may overflow: then the cap on epochs bounds it).
        let storedStep = min(Sizes.maximumSteps, metadata["step"].flatMap(Int.init) ?? 0)
        let maximumEpoch = min(
            Sizes.maximumEpochs,
            Sizes.product([max(storedStep, 0), batchesPerStep, batch]).map { $0 / max(data.count, 1) + 1 }
                ?? Sizes.maximumEpochs)
        guard let step = metadata["step"].flatMap(UInt64.init), step <= UInt64(Sizes.maximumSteps),
            let epoch = metadata["epoch"].flatMap(Int.init), epoch >= 0, epoch <= maximumEpoch,
            let cursor = metadata["cursor"].flatMap(Int.init), cursor >= 0, cursor <= data.count, cursor % batch == 0,
            let labelled = metadata["labelled_cursor"].flatMap(Int.init), labelled >= 0,
            labelled < max(labelledCount, 1),
            updates.count == optimizers.slots.count,
            // At most one update per phase run so far (divided, so nothing can overflow).
            updates.allSatisfy({ ($0 ?? -1) >= 0 && UInt64($0 ?? 0) / drawsPerStep <= step })
        else {
            throw Safetensors.Failure(
                description:
                    "\(path): the checkpoint's counters (step, epoch, cursor, labelled_cursor, updates) are missing, damaged or do not fit this data set and schedule"
            )
        }
        try store.load(entries, from: path)
        for (index, slot) in optimizers.slots.enumerated() {
            try Safetensors.copy(
                entries, optimizers.momentName("m", slot: index), program.parameters[slot.parameter].shape,
                into: optimizers.first[index], path)
            try Safetensors.copy(
                entries, optimizers.momentName("v", slot: index), program.parameters[slot.parameter].shape,
                into: optimizers.second[index], path)
        }
        optimizers.updates = updates.map { $0 ?? 0 }
        restorePosition(step: step, epoch: epoch, cursor: cursor, labelledCursor: labelled)
    }
}

extension Trainer {
    /// What differs between two resolved specs, ignoring the training length; nil when
    /// nothing does. Each change is named by its section and line.
    public static func specChanges(from stored: String, to current: String) -> String? {
        func lines(_ text: String) -> [String] {
            var section = ""
            return text.split(separator: "\n").compactMap { line in
                if !line.hasPrefix(" ") { section = String(line.prefix { $0 != ":" }) }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if section == "training", trimmed.hasPrefix("steps:") || trimmed.hasPrefix("epochs:") { return nil }
                return line.hasPrefix(" ") ? "\(section): \(trimmed)" : trimmed
            }
        }
        guard stored != current else { return nil }
        guard !stored.isEmpty else { return "the checkpoint does not record its spec" }
        let (old, new) = (lines(stored), lines(current))
        guard old != new else { return nil }
        let removed = old.filter { !new.contains($0) }
        let added = new.filter { !old.contains($0) }
        var parts: [String] = []
        if !removed.isEmpty { parts.append("the checkpoint's spec has '\(removed.prefix(3).joined(separator: "', '"))'") }
        if !added.isEmpty { parts.append("this spec has '\(added.prefix(3).joined(separator: "', '"))'") }
        return parts.isEmpty ? "the order of its lines changed" : parts.joined(separator: " where ")
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
        if let bad = entry.values.firstIndex(where: { !$0.isFinite }) {
            throw Failure(
                description:
                    "\(path): tensor '\(name)' holds \(entry.values[bad]) at element \(bad); the checkpoint is damaged (or was written after the run diverged)"
            )
        }
        for (offset, value) in entry.values.enumerated() { target[offset] = value }
    }
}
