import type { InputHTMLAttributes, ReactNode, Ref } from 'react'

export interface TextFieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> {
  id: string
  label: ReactNode
  value: string
  onChange(value: string): void
  testId?: string
  /** The input itself, e.g. to focus it when the form opens. */
  ref?: Ref<HTMLInputElement>
}

/**
 * One labelled text input, the way every form of the client shows one (`.field`: the label above the input,
 * tied to it by id, so a screen reader reads the label and a tap on it focuses the input). Every other input
 * attribute passes through.
 */
export function TextField({ id, label, value, onChange, testId, ref, ...input }: TextFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={ref}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...(testId ? { 'data-testid': testId } : {})}
        {...input}
      />
    </div>
  )
}
