import { lazy } from 'react'

/** Photos load when a panel or a post needs them: nothing of them is in the first visit's code. */
export const EntityPhotos = lazy(() =>
  import('./entity-photos').then((module) => ({ default: module.EntityPhotos })),
)
export const PostPhotos = lazy(() =>
  import('./post-photos').then((module) => ({ default: module.PostPhotos })),
)
export const PostPhotoPicker = lazy(() =>
  import('./post-photos').then((module) => ({ default: module.PostPhotoPicker })),
)
