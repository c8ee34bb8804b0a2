#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics

/// Hands an `ImageMedia` to The Sleuth Kit as an external image (`tsk_img_open_external`), so
/// TSK parses partitions and file systems over our reads, errors and all.
///
/// The TSK_IMG_INFO lives at the start of a block we allocate; a pointer to the media box sits
/// right after it, which is how the C read callback finds its media.
final class TSKImageBridge {
    private final class MediaBox {
        let media: any ImageMedia
        init(_ media: any ImageMedia) { self.media = media }
    }

    private static let contextOffset = (MemoryLayout<TSK_IMG_INFO>.size + 15) & ~15
    private let block: UnsafeMutableRawPointer
    private let box: Unmanaged<MediaBox>
    let image: UnsafeMutablePointer<TSK_IMG_INFO>

    init?(media: any ImageMedia) {
        let size = TSKImageBridge.contextOffset + MemoryLayout<UnsafeRawPointer>.size
        block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        box = Unmanaged.passRetained(MediaBox(media))
        block.storeBytes(of: UnsafeRawPointer(box.toOpaque()), toByteOffset: TSKImageBridge.contextOffset, as: UnsafeRawPointer.self)
        let info = block.bindMemory(to: TSK_IMG_INFO.self, capacity: 1)
        info.pointee.tag = UInt32(TSK_IMG_INFO_TAG)
        guard let opened = tsk_img_open_external(block, TSK_OFF_T(media.size), UInt32(media.sectorSize),
                                                 tskExternalRead, tskExternalClose, tskExternalStat) else {
            box.release()
            block.deallocate()
            return nil
        }
        image = opened
    }

    deinit {
        tsk_img_close(image)
        box.release()
        block.deallocate()
    }

    fileprivate static func media(of image: UnsafeMutablePointer<TSK_IMG_INFO>) -> any ImageMedia {
        let raw = UnsafeRawPointer(image).load(fromByteOffset: contextOffset, as: UnsafeRawPointer.self)
        return Unmanaged<MediaBox>.fromOpaque(raw).takeUnretainedValue().media
    }
}

private func tskExternalRead(_ image: UnsafeMutablePointer<TSK_IMG_INFO>?, _ offset: TSK_OFF_T,
                             _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
    guard let image, let buffer, offset >= 0 else { return -1 }
    let media = TSKImageBridge.media(of: image)
    do {
        return try media.read(at: UInt64(offset), into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
    } catch {
        tsk_error_reset()
        tsk_error_set_errno(UInt32(TSK_ERR_IMG) | 7)  // TSK_ERR_IMG_READ (a macro Swift does not import)
        return -1
    }
}

/// The block is freed by the bridge's deinit, after `tsk_img_close` returns.
private func tskExternalClose(_ image: UnsafeMutablePointer<TSK_IMG_INFO>?) {}

private func tskExternalStat(_ image: UnsafeMutablePointer<TSK_IMG_INFO>?, _ stream: UnsafeMutablePointer<FILE>?) {}
