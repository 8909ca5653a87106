export {
  createProcessingGate,
  type ImageLimits,
  type ImageVariant,
  imageLimitsDefault,
  type ProcessedImage,
  processImage,
  storedContentType,
  storedExtension,
} from './images'
export { checkKey, LocalDiskMediaStore, type MediaStore } from './store'
