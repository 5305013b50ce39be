import Foundation
import LatentRuntime
import SwiftProtobuf

/// A TensorBoard event file in a run directory: `Event` protobufs in TFRecord framing (the
/// length, its masked CRC-32C, the bytes, their masked CRC-32C). Each record is appended
/// whole or not at all, so a crash or a full disk never leaves a torn record, and
/// TensorBoard shows a run while it trains.
///
/// A resumed run writes a new file that starts with a session start at its first step:
/// TensorBoard then drops what earlier files recorded from that step on (steps the
/// checkpoint did not keep), as `metrics.jsonl` does.
public final class EventFile {
    public let path: String

    /// Creates `events.out.tfevents.SECONDS.latent.PID` in `directory`; `resumingAt` is the
    /// first step of a resumed run.
    public init(directory: String, resumingAt step: Int? = nil, now: Date = Date()) throws {
        let name = String(format: "events.out.tfevents.%010d.latent.%d", Int(now.timeIntervalSince1970), getpid())
        path = directory + "/" + name
        try AtomicFile.write(Data(), to: path)
        var version = Tensorboard_Event()
        version.wallTime = now.timeIntervalSince1970
        version.fileVersion = "brain.Event:2"
        try append(version)
        if let step {
            var start = Tensorboard_Event()
            start.wallTime = now.timeIntervalSince1970
            start.step = Int64(step)
            start.sessionLog.status = .start
            try append(start)
        }
    }

    /// Scalars at `step` (TensorBoard keeps them as 32-bit floats).
    public func add(scalars: [(tag: String, value: Double)], step: Int, at time: Date = Date()) throws {
        try add(step: step, at: time, scalars.map { scalar in
            var value = Tensorboard_Summary.Value()
            value.tag = scalar.tag
            value.simpleValue = Float(scalar.value)
            return value
        })
    }

    /// A PNG picture at `step`; `channels` is 1 (grey), 3 (RGB) or 4 (RGBA).
    public func add(png: [UInt8], width: Int, height: Int, channels: Int, tag: String, step: Int, at time: Date = Date())
        throws
    {
        var image = Tensorboard_Summary.Image()
        image.width = Int32(clamping: width)
        image.height = Int32(clamping: height)
        image.colorspace = Int32(clamping: channels)
        image.encodedImageString = Data(png)
        var value = Tensorboard_Summary.Value()
        value.tag = tag
        value.image = image
        try add(step: step, at: time, [value])
    }

    func add(step: Int, at time: Date, _ values: [Tensorboard_Summary.Value]) throws {
        var event = Tensorboard_Event()
        event.wallTime = time.timeIntervalSince1970
        event.step = Int64(step)
        event.summary.value = values
        try append(event)
    }

    func append(_ event: Tensorboard_Event) throws {
        try AtomicFile.append(Self.record(try event.serializedData()), to: path)
    }

    /// One TFRecord: little-endian length, masked CRC of the length's bytes, the data, masked
    /// CRC of the data.
    static func record(_ data: Data) -> Data {
        var length = UInt64(data.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Data($0) }
        var record = lengthBytes
        record += littleEndian(CRC32C.masked(lengthBytes))
        record += data
        record += littleEndian(CRC32C.masked(data))
        return record
    }

    static func littleEndian(_ value: UInt32) -> Data {
        var value = value.littleEndian
        return withUnsafeBytes(of: &value) { Data($0) }
    }
}
